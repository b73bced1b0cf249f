-- The bank details an intent's instructions show are copied from the store's settings when the intent
-- enters status 4 (src/app/intents/transition.ts), so changing the store's account later never changes
-- the account a payer was already given. All four are set together or not at all.
ALTER TABLE payment_intents
  ADD COLUMN bank_iban        text,
  ADD COLUMN bank_bic         text,
  ADD COLUMN bank_beneficiary text,
  ADD COLUMN bank_name        text;

-- Intents that reached 4 before this migration take the store's current details: the ones their
-- instructions showed until now. Only entering 4 sets order_number, so it marks exactly those intents
-- (10, 14 and the KYC failures may also have ended before 4, and need no snapshot).
UPDATE payment_intents p
   SET bank_iban = s.bank_iban, bank_bic = s.bank_bic, bank_beneficiary = s.bank_beneficiary, bank_name = s.bank_name
  FROM intent_store_settings s
 WHERE s.store_id = p.store_id AND p.order_number IS NOT NULL;

ALTER TABLE payment_intents
  ADD CONSTRAINT payment_intents_bank_snapshot_whole CHECK (num_nulls(bank_iban, bank_bic, bank_beneficiary, bank_name) IN (0, 4));

-- The operator API lists merchants newest first (src/db/merchants.ts).
CREATE INDEX merchants_created_idx ON merchants (created_at DESC, id DESC);
