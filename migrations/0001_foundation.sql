-- Tenants and credentials. Forward-only; runs unchanged on PostgreSQL 15 and PGlite.

CREATE TABLE merchants (
  id          uuid PRIMARY KEY,
  name        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE stores (
  id          text PRIMARY KEY,
  merchant_id uuid NOT NULL REFERENCES merchants(id),
  name        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stores_merchant_idx ON stores (merchant_id);

-- Merchant API keys: only a SHA-256 hash authenticates. The trading dialect signs webhooks with the
-- key itself (its wire contract), so a copy is kept encrypted under the server secret for that alone.
CREATE TABLE api_keys (
  id          text PRIMARY KEY,
  merchant_id uuid NOT NULL REFERENCES merchants(id),
  key_hash    bytea NOT NULL,
  key_enc     text NOT NULL,
  label       text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);
CREATE INDEX api_keys_merchant_idx ON api_keys (merchant_id);

CREATE TABLE operator_keys (
  id          text PRIMARY KEY,
  key_hash    bytea NOT NULL,
  label       text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);
