-- Webhook endpoints the merchant registers itself (issue 19): several per merchant, each with the event
-- types it wants, its own signing secret, and an on/off switch of its own.
--
-- kind: 'callback' rows are the implicit endpoints the outbox creates per (merchant, url) for the dialect
-- callback, IPN and card webhook URLs (0003); 'merchant' rows are registered through /merchant/v1. The two
-- never share a row, so a merchant's endpoint with the same URL as a pay-in's callbackUrl neither changes
-- how that callback is signed nor switches it off.
ALTER TABLE webhook_endpoints ADD COLUMN kind text NOT NULL DEFAULT 'callback' CHECK (kind IN ('callback', 'merchant'));
ALTER TABLE webhook_endpoints DROP CONSTRAINT webhook_endpoints_merchant_id_url_key;
ALTER TABLE webhook_endpoints ADD CONSTRAINT webhook_endpoints_merchant_url_kind_key UNIQUE (merchant_id, url, kind);
-- The event types (or family.* patterns, or *) a merchant endpoint receives; null on callback rows.
ALTER TABLE webhook_endpoints ADD COLUMN event_types text[];
ALTER TABLE webhook_endpoints ADD COLUMN description text;
-- The merchant's own switch, apart from disabled_at (a 410 from the receiver, which the operator sees
-- as needing attention). While false, no event is queued for the endpoint and queued ones wait.
ALTER TABLE webhook_endpoints ADD COLUMN enabled boolean NOT NULL DEFAULT true;
ALTER TABLE webhook_endpoints ADD CONSTRAINT webhook_endpoints_merchant_kind_types CHECK ((kind = 'merchant') = (event_types IS NOT NULL));

-- The secret a rotation replaced, kept until expires_at: meanwhile every request to the endpoint is
-- signed with both (two v1= entries in rampart-signature), so the receiver can switch at its own pace.
-- A row of its own (not a column) because each encrypted column is re-encrypted by `rampart secret
-- rotate` by table and key (src/db/secret/ciphertexts.ts).
CREATE TABLE webhook_endpoint_previous_secrets (
  endpoint_id uuid PRIMARY KEY REFERENCES webhook_endpoints(id),
  secret_enc  text NOT NULL,
  expires_at  timestamptz NOT NULL
);
