-- The card dialect's optional merchant webhook (a Rampart extension: the dialect itself has none). A
-- merchant with a card webhook points at one envelope-format webhook endpoint, which holds the URL and
-- the encrypted signing secret; NULL means no card events are sent. Forward-only; runs unchanged on
-- PostgreSQL 15 and PGlite.
CREATE TABLE card_merchant_settings (
  merchant_id         uuid PRIMARY KEY REFERENCES merchants(id),
  webhook_endpoint_id uuid REFERENCES webhook_endpoints(id),
  created_at          timestamptz NOT NULL,
  updated_at          timestamptz NOT NULL
);
