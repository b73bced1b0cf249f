-- GET /payment/intent lists a merchant's intents newest first by id (ids are time-ordered) and pages
-- on the last id.
CREATE INDEX payment_intents_merchant_id_idx ON payment_intents (merchant_id, id DESC);
