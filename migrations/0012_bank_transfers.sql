-- One table for every incoming bank transfer, whichever flow it pays: a transfer to a trader's
-- requisite (trading pay-ins) or one carrying a payment reference (payment intents). Every feed (the
-- sandbox feed, statement imports, a bank API) records here through one use case, deduplicated by the
-- bank's transaction id. Replaces trading_bank_transfers and intent_bank_transfers.
CREATE TABLE bank_transfers (
  id                text PRIMARY KEY,
  external_id       text NOT NULL UNIQUE,          -- the bank's transaction id: a redelivery is a no-op
  feed              text NOT NULL,                 -- which feed delivered it
  amount_minor      bigint NOT NULL CHECK (amount_minor > 0),
  currency          text NOT NULL,
  requisite_id      uuid REFERENCES trading_requisites(id), -- the trader's account it arrived on
  reference         text,                          -- the payer's remittance information
  payer_name        text,
  payer_iban        text,
  received_at       timestamptz NOT NULL,
  -- paid | recalculated | refunded | duplicate_payment | unmatched (core/bank-transfers)
  outcome           text NOT NULL,
  reason            text,                          -- why it was refunded, kept apart or left unmatched
  trading_payin_id  uuid REFERENCES trading_payins(id),
  intent_id         text REFERENCES payment_intents(id),
  created_at        timestamptz NOT NULL DEFAULT now(),
  CHECK (trading_payin_id IS NULL OR intent_id IS NULL)
);
CREATE INDEX bank_transfers_outcome_idx ON bank_transfers (outcome, received_at DESC);
CREATE INDEX bank_transfers_payin_idx ON bank_transfers (trading_payin_id) WHERE trading_payin_id IS NOT NULL;
CREATE INDEX bank_transfers_intent_idx ON bank_transfers (intent_id) WHERE intent_id IS NOT NULL;

INSERT INTO bank_transfers (id, external_id, feed, amount_minor, currency, requisite_id, payer_name, received_at,
                            outcome, trading_payin_id, created_at)
SELECT id, external_id, 'sandbox', amount_minor, fiat_currency, requisite_id, payer_name, received_at,
       CASE WHEN payin_id IS NULL THEN 'unmatched' ELSE 'paid' END, payin_id, created_at
FROM trading_bank_transfers;

-- The two old tables deduplicated separately: an id seen by both keeps the intent copy apart.
INSERT INTO bank_transfers (id, external_id, feed, amount_minor, currency, reference, received_at, outcome, intent_id, created_at)
SELECT 'btr_' || md5('intent:' || t.external_id),
       CASE WHEN EXISTS (SELECT 1 FROM trading_bank_transfers x WHERE x.external_id = t.external_id)
            THEN 'intent:' || t.external_id ELSE t.external_id END,
       'sandbox', t.amount_minor, t.currency, t.reference, t.received_at, t.outcome, t.intent_id, t.received_at
FROM intent_bank_transfers t;

DROP TABLE trading_bank_transfers;
DROP TABLE intent_bank_transfers;

-- A transfer that finds no active pay-in on its (requisite, amount) slot is checked against the pay-in
-- that last closed on that slot: its late payment, or a second payment the trader must return.
CREATE INDEX trading_payins_closed_slot_idx ON trading_payins (requisite_id, fiat_amount_minor, closed_at DESC)
  WHERE status = 'closed';
