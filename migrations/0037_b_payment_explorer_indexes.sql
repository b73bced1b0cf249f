-- rampart:no-transaction
-- Issue 18 (payments explorer, GET /admin/v1/payments): the operator's list across the three flows
-- pages newest first on (created_at, id) and finds a payment by any of its ids, its payer's e-mail,
-- its requisite or its amount, and a payment page reads every webhook of a payment by its ordering
-- key. Each of those lookups gets an index here, so none reads a whole
-- payments table. Built concurrently: the payments tables keep taking writes while they build
-- (docs/operations.md#upgrades-without-downtime).
CREATE INDEX CONCURRENTLY IF NOT EXISTS trading_payins_created_idx ON trading_payins (created_at DESC, id DESC);
CREATE INDEX CONCURRENTLY IF NOT EXISTS trading_payins_external_tx_idx ON trading_payins (external_transaction_id) WHERE external_transaction_id IS NOT NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS trading_payins_amount_idx ON trading_payins (fiat_amount_minor);
CREATE INDEX CONCURRENTLY IF NOT EXISTS trading_requisites_number_idx ON trading_requisites (number) WHERE number IS NOT NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS trading_requisites_sbp_phone_idx ON trading_requisites (sbp_phone) WHERE sbp_phone IS NOT NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS payment_intents_created_idx ON payment_intents (created_at DESC, id DESC);
CREATE INDEX CONCURRENTLY IF NOT EXISTS payment_intents_store_created_idx ON payment_intents (store_id, created_at DESC, id DESC);
CREATE INDEX CONCURRENTLY IF NOT EXISTS payment_intents_tx_hash_idx ON payment_intents (tx_hash) WHERE tx_hash IS NOT NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS payment_intents_email_idx ON payment_intents (lower(email));
CREATE INDEX CONCURRENTLY IF NOT EXISTS payment_intents_amount_idx ON payment_intents (fiat_minor);
CREATE INDEX CONCURRENTLY IF NOT EXISTS intent_payouts_tx_hash_idx ON intent_payouts (tx_hash) WHERE tx_hash IS NOT NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS card_payments_created_idx ON card_payments (created_at DESC, id DESC);
CREATE INDEX CONCURRENTLY IF NOT EXISTS card_payments_merchant_created_idx ON card_payments (merchant_id, created_at DESC, id DESC);
CREATE INDEX CONCURRENTLY IF NOT EXISTS card_payments_provider_ref_idx ON card_payments (provider_ref) WHERE provider_ref IS NOT NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS card_payments_amount_idx ON card_payments (fiat_minor);
CREATE INDEX CONCURRENTLY IF NOT EXISTS card_customers_email_idx ON card_customers (lower(email)) WHERE email IS NOT NULL;
CREATE INDEX CONCURRENTLY IF NOT EXISTS webhook_messages_ordering_key_idx ON webhook_messages (ordering_key, seq);
