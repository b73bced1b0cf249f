-- Payment intents (the /payment/intent dialect) and the shared KYC capability.

-- Per-store settings of the intent dialect.
CREATE TABLE intent_store_settings (
  store_id                text PRIMARY KEY REFERENCES stores(id),
  served_countries        text[] NOT NULL DEFAULT '{}',
  payment_window_seconds  integer NOT NULL DEFAULT 3600 CHECK (payment_window_seconds > 0),
  kyc_window_seconds      integer NOT NULL DEFAULT 86400 CHECK (kyc_window_seconds > 0),
  kyc_validity_days       integer NOT NULL DEFAULT 365 CHECK (kyc_validity_days > 0),
  accept_amount_mismatch  boolean NOT NULL DEFAULT false,
  bank_iban               text NOT NULL,
  bank_bic                text NOT NULL,
  bank_beneficiary        text NOT NULL,
  bank_name               text NOT NULL,
  ipn_secret_enc          text NOT NULL,
  updated_at              timestamptz NOT NULL DEFAULT now()
);

-- KYC: users are per store, by e-mail.
CREATE TABLE kyc_users (
  id          text PRIMARY KEY,
  store_id    text NOT NULL REFERENCES stores(id),
  email       text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (store_id, email)
);

CREATE TABLE kyc_cases (
  id               text PRIMARY KEY,
  user_id          text NOT NULL REFERENCES kyc_users(id),
  level            text NOT NULL,
  status           text NOT NULL,
  first_name       text,
  last_name        text,
  birth_date       text,
  document_type    text,
  document_number  text,
  country          text,
  nationality      text,
  files            jsonb NOT NULL DEFAULT '[]',
  reason           text,
  vendor_check_at  timestamptz,
  decided_at       timestamptz,
  expires_at       timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX kyc_cases_user_idx ON kyc_cases (user_id, created_at DESC);
CREATE INDEX kyc_cases_review_idx ON kyc_cases (created_at) WHERE status = 'review';
-- One open case per user and level: a second start reuses it.
CREATE UNIQUE INDEX kyc_cases_one_open_uq ON kyc_cases (user_id, level)
  WHERE status IN ('open', 'submitted', 'pending_vendor', 'review');

-- The audit trail: every status change with its actor.
CREATE TABLE kyc_case_events (
  id          bigserial PRIMARY KEY,
  case_id     text NOT NULL REFERENCES kyc_cases(id),
  from_status text,
  to_status   text NOT NULL,
  actor       text NOT NULL,
  actor_id    text,
  reason      text,
  at          timestamptz NOT NULL
);
CREATE INDEX kyc_case_events_case_idx ON kyc_case_events (case_id, id);

-- Hosted KYC page links: single use, expiring; only a hash of the token is stored.
CREATE TABLE kyc_links (
  token_hash    text PRIMARY KEY,
  case_id       text NOT NULL REFERENCES kyc_cases(id),
  redirect_url  text,
  expires_at    timestamptz NOT NULL,
  used_at       timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE SEQUENCE intent_order_number_seq START 100001;

CREATE TABLE payment_intents (
  id                text PRIMARY KEY,
  merchant_id       uuid NOT NULL REFERENCES merchants(id),
  store_id          text NOT NULL REFERENCES stores(id),
  user_id           text NOT NULL REFERENCES kyc_users(id),
  kyc_case_id       text REFERENCES kyc_cases(id),
  status            integer NOT NULL,
  email             text NOT NULL,
  country           text,
  ip                text NOT NULL,
  payment_method    text NOT NULL,
  fiat_currency     text NOT NULL,
  fiat_minor        bigint NOT NULL CHECK (fiat_minor > 0),
  fee_fiat_minor    bigint NOT NULL CHECK (fee_fiat_minor >= 0),
  crypto_symbol     text NOT NULL,
  network           text NOT NULL,
  crypto_minor      bigint NOT NULL CHECK (crypto_minor > 0),
  network_fee_minor bigint NOT NULL CHECK (network_fee_minor >= 0),
  rate              text NOT NULL,
  rate_source       text NOT NULL,
  rate_fetched_at   timestamptz NOT NULL,
  wallet_address    text NOT NULL,
  kyc_redirect_url  text,
  success_url       text,
  cancel_url        text,
  ipn_url           text,
  order_number      text UNIQUE,
  reference         text NOT NULL UNIQUE,
  paid_fiat_minor   bigint,
  tx_hash           text,
  window_ends_at    timestamptz,
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL
);
CREATE INDEX payment_intents_merchant_idx ON payment_intents (merchant_id, created_at DESC);
CREATE INDEX payment_intents_user_waiting_idx ON payment_intents (user_id) WHERE status IN (2, 3);

CREATE TABLE payment_intent_events (
  id          bigserial PRIMARY KEY,
  intent_id   text NOT NULL REFERENCES payment_intents(id),
  from_status integer,
  to_status   integer NOT NULL,
  actor       text NOT NULL,
  at          timestamptz NOT NULL,
  data        jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX payment_intent_events_intent_idx ON payment_intent_events (intent_id, id);

-- Incoming bank transfers for intents, deduplicated by the bank's transfer id.
CREATE TABLE intent_bank_transfers (
  external_id   text PRIMARY KEY,
  reference     text NOT NULL,
  amount_minor  bigint NOT NULL CHECK (amount_minor > 0),
  currency      text NOT NULL,
  intent_id     text REFERENCES payment_intents(id),
  outcome       text NOT NULL,
  received_at   timestamptz NOT NULL
);

-- Crypto delivery: the payout key is recorded before anything is sent, so a retry asks the chain
-- by key instead of sending again.
CREATE TABLE intent_payouts (
  payout_key    text PRIMARY KEY,
  intent_id     text NOT NULL UNIQUE REFERENCES payment_intents(id),
  network       text NOT NULL,
  asset         text NOT NULL,
  address       text NOT NULL,
  amount_minor  bigint NOT NULL CHECK (amount_minor > 0),
  status        text NOT NULL,
  tx_hash       text,
  polls         integer NOT NULL DEFAULT 0,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL
);
