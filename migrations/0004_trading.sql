-- Trading dialect (/payment/trading): banks, traders and their requisites, merchant trading settings,
-- pay-ins with their event history, receipts, and incoming bank transfers. Forward-only; runs
-- unchanged on PostgreSQL 15 and PGlite. Money is bigint minor units (fiat: 1/100; crypto: µUSDT).

CREATE TABLE trading_banks (
  code          text PRIMARY KEY,               -- upper-case, e.g. SBER
  name          text NOT NULL,
  methods       text[] NOT NULL,                -- e.g. {sbp,card}
  fiat_currency text NOT NULL,
  enabled       boolean NOT NULL DEFAULT true,
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE traders (
  id          text PRIMARY KEY,                 -- trd_...
  name        text NOT NULL,
  enabled     boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Trader API keys (`rtr_<id>_<secret>`): only the SHA-256 hash is stored, as for merchant keys.
CREATE TABLE trader_keys (
  id          text PRIMARY KEY,
  trader_id   text NOT NULL REFERENCES traders(id),
  key_hash    bytea NOT NULL,
  label       text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);
CREATE INDEX trader_keys_trader_idx ON trader_keys (trader_id);

CREATE TABLE trading_requisites (
  id                          uuid PRIMARY KEY,
  trader_id                   text NOT NULL REFERENCES traders(id),
  bank_code                   text NOT NULL REFERENCES trading_banks(code),
  method                      text NOT NULL,
  owner_name                  text NOT NULL,
  number                      text,             -- card or account number
  sbp_phone                   text,
  fiat_currency               text NOT NULL,
  enabled                     boolean NOT NULL DEFAULT true,
  max_open_payins             integer NOT NULL DEFAULT 10 CHECK (max_open_payins >= 0),
  daily_volume_limit_minor    bigint CHECK (daily_volume_limit_minor >= 0),
  monthly_volume_limit_minor  bigint CHECK (monthly_volume_limit_minor >= 0),
  -- Least recently used first spreads the load across requisites.
  last_assigned_at            timestamptz,
  created_at                  timestamptz NOT NULL DEFAULT now(),
  CHECK (number IS NOT NULL OR sbp_phone IS NOT NULL)
);
CREATE INDEX trading_requisites_pick_idx ON trading_requisites (fiat_currency, last_assigned_at) WHERE enabled;
CREATE INDEX trading_requisites_trader_idx ON trading_requisites (trader_id);

CREATE TABLE trading_merchant_settings (
  merchant_id                   uuid PRIMARY KEY REFERENCES merchants(id),
  fiat_currency                 text NOT NULL,
  fee_rate                      numeric(10, 8) NOT NULL CHECK (fee_rate >= 0 AND fee_rate < 1),
  payment_window_seconds        integer NOT NULL DEFAULT 900 CHECK (payment_window_seconds > 0),
  dispute_auto_resolve_minutes  integer NOT NULL DEFAULT 30 CHECK (dispute_auto_resolve_minutes > 0),
  allowed_methods               text[],          -- null: every method
  allowed_banks                 text[],          -- null: every bank
  min_fiat_amount_minor         bigint NOT NULL DEFAULT 10000 CHECK (min_fiat_amount_minor > 0),
  max_fiat_amount_minor         bigint NOT NULL DEFAULT 30000000,
  -- Granularity of amounts chosen inside a fiatAmountRange (100 = whole units of a 2-decimal currency).
  range_step_minor              bigint NOT NULL DEFAULT 100 CHECK (range_step_minor > 0),
  webhook_url                   text,
  require_request_signature     boolean NOT NULL DEFAULT false,
  created_at                    timestamptz NOT NULL DEFAULT now(),
  CHECK (max_fiat_amount_minor >= min_fiat_amount_minor)
);

CREATE TABLE trading_payins (
  id                            uuid PRIMARY KEY,
  merchant_id                   uuid NOT NULL REFERENCES merchants(id),
  api_key_id                    text NOT NULL,   -- the key that created it signs its webhooks
  status                        text NOT NULL,
  fiat_amount_minor             bigint NOT NULL CHECK (fiat_amount_minor > 0),
  fiat_currency                 text NOT NULL,
  crypto_amount_minor           bigint NOT NULL,
  merchant_fee_minor            bigint NOT NULL,
  fee_rate                      numeric(10, 8) NOT NULL,   -- the merchant's rate when created (re-calculation reuses it)
  currency_rate                 text NOT NULL,             -- decimal string as quoted: fiat per 1 crypto
  crypto_currency               text NOT NULL,
  crypto_network                text NOT NULL,
  bank_code                     text NOT NULL,
  method                        text NOT NULL,
  requisite_id                  uuid NOT NULL REFERENCES trading_requisites(id),
  trader_id                     text NOT NULL REFERENCES traders(id),
  external_transaction_id       text,
  request_fingerprint           text NOT NULL,   -- sha256 of the canonical create request
  callback_url                  text,
  extra                         json NOT NULL,   -- json, not jsonb: echoed back byte-for-byte in key order
  deposit_type                  text,
  transfer_type                 text,
  -- The ledger hold taken at creation: pending, then posted (close) or voided (cancel).
  hold_transfer_id              text,
  hold_state                    text NOT NULL DEFAULT 'pending' CHECK (hold_state IN ('pending', 'posted', 'voided')),
  dispute_merchant_invoice_key  text,
  dispute_trader_invoice_key    text,
  dispute_merchant_fiat_minor   bigint NOT NULL DEFAULT 0,
  dispute_trader_fiat_minor     bigint NOT NULL DEFAULT 0,
  dispute_comment               text,
  dispute_opened_at             timestamptz,     -- ties an auto-resolve job to the dispute it was scheduled for
  expires_at                    timestamptz NOT NULL,
  closed_at                     timestamptz,
  created_at                    timestamptz NOT NULL,
  updated_at                    timestamptz NOT NULL
);
-- THE allocation arbiter: an incoming transfer is matched by (requisite, exact amount), so no two
-- active pay-ins may share a slot. Only `active` counts as open: a canceled pay-in reopened as a
-- dispute must not collide with a newer pay-in that took its slot (and the bank feed matches only
-- active pay-ins).
CREATE UNIQUE INDEX trading_payins_open_slot_uq ON trading_payins (requisite_id, fiat_amount_minor) WHERE status = 'active';
CREATE UNIQUE INDEX trading_payins_external_id_uq ON trading_payins (merchant_id, external_transaction_id)
  WHERE external_transaction_id IS NOT NULL;
CREATE INDEX trading_payins_merchant_list_idx ON trading_payins (merchant_id, created_at DESC, id DESC);
CREATE INDEX trading_payins_requisite_created_idx ON trading_payins (requisite_id, created_at);
CREATE INDEX trading_payins_trader_idx ON trading_payins (trader_id, created_at DESC);

CREATE TABLE trading_payin_events (
  id          bigserial PRIMARY KEY,
  payin_id    uuid NOT NULL REFERENCES trading_payins(id),
  actor       text NOT NULL,                     -- merchant | payer | trader | bank_feed | system | support
  actor_id    text,
  from_status text,                              -- null for creation
  to_status   text NOT NULL,
  at          timestamptz NOT NULL,
  data        jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX trading_payin_events_payin_idx ON trading_payin_events (payin_id, id);

-- Receipts (dispute evidence); the bytes live in the FileStorage port under storage_key.
CREATE TABLE trading_receipts (
  invoice_key   text PRIMARY KEY,
  payin_id      uuid NOT NULL REFERENCES trading_payins(id),
  uploaded_by   text NOT NULL,                   -- merchant | payer | trader
  storage_key   text NOT NULL,
  content_type  text NOT NULL,
  size_bytes    integer NOT NULL,
  created_at    timestamptz NOT NULL
);
CREATE INDEX trading_receipts_payin_idx ON trading_receipts (payin_id);

-- Every incoming bank transfer, deduplicated by the feed's id; those matching no active pay-in stay
-- unmatched (payin_id null) for the operator.
CREATE TABLE trading_bank_transfers (
  id            text PRIMARY KEY,
  external_id   text NOT NULL UNIQUE,
  requisite_id  uuid NOT NULL REFERENCES trading_requisites(id),
  amount_minor  bigint NOT NULL CHECK (amount_minor > 0),
  fiat_currency text NOT NULL,
  payer_name    text,
  received_at   timestamptz NOT NULL,
  payin_id      uuid REFERENCES trading_payins(id),
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX trading_bank_transfers_unmatched_idx ON trading_bank_transfers (received_at) WHERE payin_id IS NULL;
