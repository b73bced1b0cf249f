-- The watched statement inbox (RAMPART_BANK_INBOX_DIR) imports a file's content once: a worker claims
-- the content by inserting its SHA-256 here first, so two workers that picked up two copies of one
-- file at once import it once (the primary key decides).
CREATE TABLE bank_inbox_files (
  file_sha256  text PRIMARY KEY,
  file_name    text NOT NULL,
  import_id    text REFERENCES bank_statement_imports(id),
  claimed_at   timestamptz NOT NULL
);
