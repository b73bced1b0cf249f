-- Issue 21 (erasure and retention): an append-only audit log of operator actions, generic so every
-- area can write to it (the first writer is `rampart customer erase` and its admin route). Rows are
-- never updated or deleted: the trigger refuses it, as for the ledger.
CREATE TABLE audit_log (
  id          bigserial PRIMARY KEY,
  actor       text NOT NULL,                    -- who: 'operator:<key id>' or 'cli:<os user>'
  action      text NOT NULL,                    -- what, dotted: e.g. customer.erase
  subject     text NOT NULL,                    -- on what: a keyed hash for erased people, never their data
  details     jsonb NOT NULL DEFAULT '{}',
  ip          text,                             -- the caller's address for API actions
  created_at  timestamptz NOT NULL
);
CREATE INDEX audit_log_subject_idx ON audit_log (subject, id);
CREATE INDEX audit_log_created_idx ON audit_log (created_at);

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'P0001';
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
