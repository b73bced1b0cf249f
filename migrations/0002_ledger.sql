-- The double-entry ledger. Append-only: accounts, transfers, entries and hold resolutions are never
-- updated or deleted (triggers below refuse it); a posted, voided or expired hold is a NEW resolution
-- row, a reversal is a NEW transfer. ledger_account_balances is the one mutable table: a projection of
-- the entries kept in step inside the same transaction, under SELECT ... FOR UPDATE, and checked by
-- `rampart ledger verify`. Runs unchanged on PostgreSQL 15 and PGlite.

CREATE TABLE ledger_accounts (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  owner       text NOT NULL,
  asset       text NOT NULL,
  purpose     text NOT NULL,
  -- Fixed at creation from the purpose: posted - pending debits may never drop below zero.
  no_negative boolean NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (owner, asset, purpose),
  -- Target of the entries' composite key: an entry's asset is always its account's asset.
  UNIQUE (id, asset)
);

CREATE TABLE ledger_account_balances (
  account_id      bigint PRIMARY KEY REFERENCES ledger_accounts(id),
  posted          bigint NOT NULL DEFAULT 0,
  pending_debits  bigint NOT NULL DEFAULT 0 CHECK (pending_debits >= 0),
  pending_credits bigint NOT NULL DEFAULT 0 CHECK (pending_credits >= 0)
);

CREATE TABLE ledger_transfers (
  id          text PRIMARY KEY,               -- the caller's idempotency key
  code        text NOT NULL,                  -- why, e.g. trading_payin_hold
  ref_type    text NOT NULL,
  ref_id      text NOT NULL,
  pending     boolean NOT NULL DEFAULT false, -- a hold, resolved later by a ledger_transfer_resolutions row
  expires_at  timestamptz,
  reversal_of text REFERENCES ledger_transfers(id),
  created_at  timestamptz NOT NULL,
  CHECK (expires_at IS NULL OR pending)
);
CREATE INDEX ledger_transfers_ref_idx ON ledger_transfers (ref_type, ref_id);
-- A transfer is reversed at most once.
CREATE UNIQUE INDEX ledger_transfers_reversal_uq ON ledger_transfers (reversal_of) WHERE reversal_of IS NOT NULL;
-- The expiry job's scan.
CREATE INDEX ledger_transfers_expiring_idx ON ledger_transfers (expires_at) WHERE pending AND expires_at IS NOT NULL;

CREATE TABLE ledger_entries (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  transfer_id text NOT NULL REFERENCES ledger_transfers(id),
  account_id  bigint NOT NULL,
  asset       text NOT NULL,
  amount      bigint NOT NULL CHECK (amount <> 0), -- signed: negative = debit, positive = credit
  FOREIGN KEY (account_id, asset) REFERENCES ledger_accounts(id, asset)
);
CREATE INDEX ledger_entries_transfer_idx ON ledger_entries (transfer_id);
CREATE INDEX ledger_entries_account_idx ON ledger_entries (account_id);

CREATE TABLE ledger_transfer_resolutions (
  transfer_id text PRIMARY KEY REFERENCES ledger_transfers(id),
  kind        text NOT NULL CHECK (kind IN ('posted', 'voided', 'expired')),
  at          timestamptz NOT NULL
);

-- Append-only: refuse UPDATE, DELETE and TRUNCATE on the history tables.
CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger table % is append-only (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'P0001';
END;
$$;

CREATE TRIGGER ledger_accounts_append_only BEFORE UPDATE OR DELETE ON ledger_accounts
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_transfers_append_only BEFORE UPDATE OR DELETE ON ledger_transfers
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_resolutions_append_only BEFORE UPDATE OR DELETE ON ledger_transfer_resolutions
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_accounts_no_truncate BEFORE TRUNCATE ON ledger_accounts
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_transfers_no_truncate BEFORE TRUNCATE ON ledger_transfers
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_resolutions_no_truncate BEFORE TRUNCATE ON ledger_transfer_resolutions
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

-- At commit, every touched transfer has at least two entries and they sum to zero per asset. Deferred,
-- so the transfer row and its entries can be inserted by separate statements of one transaction.
CREATE FUNCTION ledger_check_transfer_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  tid text;
  n bigint;
  bad text;
BEGIN
  IF TG_TABLE_NAME = 'ledger_entries' THEN tid := NEW.transfer_id; ELSE tid := NEW.id; END IF;
  SELECT count(*) INTO n FROM ledger_entries WHERE transfer_id = tid;
  IF n < 2 THEN
    RAISE EXCEPTION 'ledger transfer % has % entries (needs at least 2)', tid, n USING ERRCODE = '23514';
  END IF;
  SELECT asset INTO bad FROM ledger_entries WHERE transfer_id = tid GROUP BY asset HAVING sum(amount) <> 0 LIMIT 1;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'ledger transfer % does not balance in %', tid, bad USING ERRCODE = '23514';
  END IF;
  RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER ledger_entries_balanced AFTER INSERT ON ledger_entries
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_transfer_balanced();
CREATE CONSTRAINT TRIGGER ledger_transfers_balanced AFTER INSERT ON ledger_transfers
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_transfer_balanced();
