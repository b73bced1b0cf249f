-- Ties the server secret to this database. One row, written by the first process that migrates it:
-- a known value encrypted under the secret, and the id of the key that wrote it. Every command and
-- role opens it before writing anything, so a process given another secret stops with an error
-- instead of writing data that the others cannot decrypt. `rampart secret rotate` rewrites it.
CREATE TABLE secret_key_check (
  id          boolean PRIMARY KEY DEFAULT true CHECK (id),
  key_id      text NOT NULL,
  check_enc   text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
