-- The operator's actions on an unmatched bank transfer (docs/bank-statements.md#unmatched-transfers):
-- assigned to an intent or a trading pay-in (matched through the one inbound path), or refunded to
-- its payer. The resolution closes the transfer for the operator exactly once: the action locks the
-- row and core/bank-transfers/unmatched-transfer-status.ts refuses a second one.
ALTER TABLE bank_transfers ADD COLUMN resolution text CHECK (resolution IN ('assigned', 'refunded'));
ALTER TABLE bank_transfers ADD COLUMN resolved_by text;            -- the operator key id
ALTER TABLE bank_transfers ADD COLUMN resolved_at timestamptz;
ALTER TABLE bank_transfers ADD CONSTRAINT bank_transfers_resolution_complete
  CHECK ((resolution IS NULL) = (resolved_at IS NULL));

-- A refund order pays from the account the money arrived on. For an intent that is the intent's
-- account; a refunded unmatched transfer has no intent, so its order names the account itself.
ALTER TABLE refund_orders ADD COLUMN debtor_iban text;
ALTER TABLE refund_orders ADD COLUMN debtor_bic text;
ALTER TABLE refund_orders ADD COLUMN debtor_name text;
