-- Refunds out (docs/bank-statements.md#refunds-out): each incoming transfer Rampart books back to its
-- payer (bank_transfers.outcome = 'refunded') becomes one payment order, exported to the bank as a
-- pain.001 credit-transfer file and closed when its debit appears in a later statement (by
-- end-to-end id). The ledger booked the refund when the transfer was received; these rows track the
-- bank payment that carries it out.
CREATE TABLE refund_exports (
  id           text PRIMARY KEY,               -- the pain.001 MsgId
  orders       integer NOT NULL CHECK (orders > 0),
  pain001      text NOT NULL,                  -- the file as exported, to download again
  created_at   timestamptz NOT NULL
);

CREATE TABLE refund_orders (
  id                  text PRIMARY KEY,        -- also the pain.001 EndToEndId (at most 35 characters)
  bank_transfer_id    text NOT NULL UNIQUE REFERENCES bank_transfers(id),
  amount_minor        bigint NOT NULL CHECK (amount_minor > 0),
  currency            text NOT NULL,
  creditor_name       text,
  creditor_iban       text,
  -- waiting (no IBAN known: for the operator) | pending (to export) | exported | closed
  status              text NOT NULL CHECK (status IN ('waiting', 'pending', 'exported', 'closed')),
  reason              text,
  export_id           text REFERENCES refund_exports(id),
  statement_import_id text REFERENCES bank_statement_imports(id),
  created_at          timestamptz NOT NULL,
  exported_at         timestamptz,
  closed_at           timestamptz,
  CHECK (status = 'waiting' OR creditor_iban IS NOT NULL)
);
CREATE INDEX refund_orders_status_idx ON refund_orders (status, created_at);
