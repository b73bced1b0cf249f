-- The merchant's self-service API (issue 19).
--
-- api_keys.read_only: a key a merchant may hand to a reporting tool. It reads every merchant route and
-- dialect status route; any request that would change something is refused (403 read_only_key). Set at
-- creation and never changed, so the per-process key cache (0013) needs no new notification.
ALTER TABLE api_keys ADD COLUMN read_only boolean NOT NULL DEFAULT false;

-- A store's defaults for the payment-intent URLs the merchant may leave out of a create: the IPN URL
-- and the payer's success and cancel return links. Copied onto each intent when it is created (an
-- intent's own URL wins), so a change applies to intents created after it.
ALTER TABLE intent_store_settings ADD COLUMN default_ipn_url text;
ALTER TABLE intent_store_settings ADD COLUMN default_success_url text;
ALTER TABLE intent_store_settings ADD COLUMN default_cancel_url text;
