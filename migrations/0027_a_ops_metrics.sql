-- Operability metrics (issue 21).
--
-- The result of the last operator check (today `ledger verify`), whichever process ran it, so /metrics
-- can say when the ledger was last proved and whether it balanced. One row per check, overwritten.
CREATE TABLE ops_checks (
  name     text PRIMARY KEY,
  ok       boolean NOT NULL,
  summary  text NOT NULL,
  at       timestamptz NOT NULL
);

-- The scrape's gauges read only small partial indexes: the open disputes, the payouts still owed and
-- the dead jobs. Each covers the rows an operator must act on, so it stays small however large the
-- table grows. (Expand step: new indexes only, nothing an older release reads changes.)
CREATE INDEX trading_payins_disputes_idx ON trading_payins (dispute_opened_at) WHERE status IN ('dispute', 'checking');
CREATE INDEX intent_payouts_open_idx ON intent_payouts (created_at) WHERE status IN ('created', 'sent', 'awaiting_operator');
CREATE INDEX jobs_failed_idx ON jobs (kind) WHERE status = 'failed';
