-- Operator refunds of paid trading pay-ins (issue 18, docs/console.md#refunds): the ledger reverses the
-- pay-in's credit (the merchant's balance and the fee back to the trader's deposit) when the refund is
-- made, and the payer's fiat, which sits in the trader's bank account, is owed back to the payer: the
-- row tracks that bank payment (pending → sent → completed with its bank reference). One refund per
-- pay-in, decided by the unique index, so two concurrent refunds of one pay-in make exactly one.
CREATE TABLE trading_payin_refunds (
  id                  text PRIMARY KEY,
  payin_id            uuid NOT NULL UNIQUE REFERENCES trading_payins(id),
  merchant_id         uuid NOT NULL,
  trader_id           text NOT NULL,
  fiat_amount_minor   bigint NOT NULL CHECK (fiat_amount_minor > 0),
  fiat_currency       text NOT NULL,
  crypto_amount_minor bigint NOT NULL CHECK (crypto_amount_minor > 0),
  merchant_fee_minor  bigint NOT NULL CHECK (merchant_fee_minor >= 0),
  status              text NOT NULL CHECK (status IN ('pending', 'sent', 'completed')),
  reason              text NOT NULL,
  bank_reference      text,
  created_by          text NOT NULL,
  created_at          timestamptz NOT NULL,
  sent_at             timestamptz,
  completed_at        timestamptz,
  updated_at          timestamptz NOT NULL,
  CHECK (status <> 'completed' OR bank_reference IS NOT NULL)
);
CREATE INDEX trading_payin_refunds_status_idx ON trading_payin_refunds (status, created_at);
