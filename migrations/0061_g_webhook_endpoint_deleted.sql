-- A merchant deletes one of its webhook endpoints (issue 19). The row stays, marked deleted_at, because
-- its messages and their attempts reference it and stay as the delivery record (the operator's webhook
-- log shows them); the merchant no longer sees it, nothing is queued for it, and its URL is free for a
-- new endpoint: the (merchant, url, kind) uniqueness now holds among endpoints not deleted.
ALTER TABLE webhook_endpoints ADD COLUMN deleted_at timestamptz;
ALTER TABLE webhook_endpoints DROP CONSTRAINT webhook_endpoints_merchant_url_kind_key;
CREATE UNIQUE INDEX webhook_endpoints_merchant_url_kind_key ON webhook_endpoints (merchant_id, url, kind) WHERE deleted_at IS NULL;
