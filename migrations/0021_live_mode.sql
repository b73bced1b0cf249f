-- Live mode (issue 14).
--
-- A database that has run in live mode says so, for good: the first process that opens it with
-- RAMPART_MODE=live (migrate, start, any command) inserts this row, and nothing deletes it. The sandbox
-- seed (`rampart seed --sandbox`, and a sandbox-mode start, which seeds) refuses a database with it, so
-- the sandbox merchant, keys and traders never land among live data. A row rather than a setting in the
-- environment: it travels with the data (a restored backup is still live), whatever the next process's
-- configuration says.
CREATE TABLE live_database (
  id         boolean PRIMARY KEY DEFAULT true CHECK (id),
  marked_at  timestamptz NOT NULL DEFAULT now()
);

-- Payout statuses of src/core/intents/payout-status.ts (PAYOUT_MACHINE), awaiting_operator added for
-- the manual chain's queue.
ALTER TABLE intent_payouts ADD CONSTRAINT intent_payouts_status_known
  CHECK (status IN ('created', 'sent', 'awaiting_operator', 'confirmed', 'failed'));
