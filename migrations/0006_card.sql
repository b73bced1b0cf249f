-- The card pay-in dialect (/v3): customers of a merchant (phone + password), their sessions, the card
-- vault, offers and card payments. Forward-only; runs unchanged on PostgreSQL 15 and PGlite.

-- A payer registered with a merchant by phone. Profile fields are the KYC_0 survey; kyc_level only
-- ever rises (NONE < KYC_0 < KYC_1 < KYC_2 < KYC_3).
CREATE TABLE card_customers (
  id                  uuid PRIMARY KEY,
  merchant_id         uuid NOT NULL REFERENCES merchants(id),
  phone               text NOT NULL,
  password_hash       text NOT NULL,
  phone_confirmed_at  timestamptz,
  -- The phone confirmation code: an HMAC of it, its expiry, failed attempts and the cool-down.
  sms_code_hash       text,
  sms_code_expires_at timestamptz,
  sms_sent_at         timestamptz,
  sms_attempts        integer NOT NULL DEFAULT 0,
  sms_locked_until    timestamptz,
  kyc_level           text NOT NULL DEFAULT 'NONE' CHECK (kyc_level IN ('NONE', 'KYC_0', 'KYC_1', 'KYC_2', 'KYC_3')),
  kyc1_status         text NOT NULL DEFAULT 'UNDEFINED' CHECK (kyc1_status IN ('UNDEFINED', 'UNDER_REVIEW', 'APPROVED', 'DENIED')),
  kyc1_reason         text,
  first_name          text,
  last_name           text,
  primary_currency    text,
  residence_country   text,
  residence_city      text,
  residence_street    text,
  residence_zip_code  text,
  date_of_birth       text CHECK (date_of_birth ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'), -- YYYY-MM-DD (text: no driver date parsing)
  created_at          timestamptz NOT NULL,
  updated_at          timestamptz NOT NULL,
  UNIQUE (merchant_id, phone)
);

-- One row per sign-in. The refresh token is stored only as a SHA-256 hash; access tokens (JWT) carry
-- the session id, so signing out (revoked_at) ends the access token too.
CREATE TABLE card_sessions (
  id           uuid PRIMARY KEY,
  customer_id  uuid NOT NULL REFERENCES card_customers(id),
  refresh_hash bytea NOT NULL UNIQUE,
  created_at   timestamptz NOT NULL,
  refreshed_at timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL,
  revoked_at   timestamptz
);
CREATE INDEX card_sessions_customer_idx ON card_sessions (customer_id);

-- Failed sign-ins per phone and per IP in a window; a key over its threshold is locked until
-- locked_until. Keys: 'phone:<merchant>:<phone>', 'ip:<address>'.
CREATE TABLE card_login_failures (
  key          text PRIMARY KEY,
  failures     integer NOT NULL,
  window_start timestamptz NOT NULL,
  locked_until timestamptz
);

-- The card vault. The PAN exists only as AES-256-GCM ciphertext (pan_enc names its key id, also kept in
-- pan_key_id for rotation) and as a keyed HMAC for duplicate detection; BIN and last 4 are the only
-- clear digits. The CVV is never stored. card ids are integers on the wire (int64).
CREATE TABLE card_cards (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id       uuid NOT NULL REFERENCES card_customers(id),
  pan_enc           text NOT NULL,
  pan_key_id        text NOT NULL,
  pan_hmac          text NOT NULL,
  bin               text NOT NULL CHECK (bin ~ '^[0-9]{6}$'),
  last4             text NOT NULL CHECK (last4 ~ '^[0-9]{4}$'),
  brand             text NOT NULL,
  holder            text NOT NULL,
  exp_month         integer NOT NULL CHECK (exp_month BETWEEN 1 AND 12),
  exp_year          integer NOT NULL,
  billing_address   text NOT NULL,
  billing_city      text NOT NULL,
  billing_country   text NOT NULL,
  billing_zip       text NOT NULL,
  billing_state     text,
  validation_status text NOT NULL DEFAULT 'APPROVED',
  created_at        timestamptz NOT NULL,
  UNIQUE (customer_id, pan_hmac)
);
CREATE INDEX card_cards_customer_idx ON card_cards (customer_id);

-- A quote for a card pay-in (no charge). Re-quoting updates it in place and extends expires_at; paying
-- moves it to 'paid' once, for good.
CREATE TABLE card_offers (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id   uuid NOT NULL REFERENCES card_customers(id),
  card_id       bigint NOT NULL REFERENCES card_cards(id),
  status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paid')),
  fiat          text NOT NULL,
  fiat_minor    bigint NOT NULL CHECK (fiat_minor > 0),
  crypto        text NOT NULL,
  crypto_network text NOT NULL,
  crypto_decimals integer NOT NULL,
  crypto_minor  bigint NOT NULL CHECK (crypto_minor > 0),
  fee_minor     bigint NOT NULL CHECK (fee_minor >= 0),
  mid_rate      text NOT NULL,
  rate_source   text NOT NULL,
  expires_at    timestamptz NOT NULL,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL
);
CREATE INDEX card_offers_customer_idx ON card_offers (customer_id);

-- A card payment: at most one per offer (the unique offer_id is what makes paying twice never charge
-- twice). limit_minor is the amount in the KYC limit currency, summed for the rolling 30-day limit.
CREATE TABLE card_payments (
  id                        uuid PRIMARY KEY,
  offer_id                  bigint NOT NULL UNIQUE REFERENCES card_offers(id),
  customer_id               uuid NOT NULL REFERENCES card_customers(id),
  merchant_id               uuid NOT NULL REFERENCES merchants(id),
  card_id                   bigint NOT NULL REFERENCES card_cards(id),
  status                    text NOT NULL CHECK (status IN ('authorizing', 'challenge', 'provider_error', 'succeeded', 'failed')),
  fiat                      text NOT NULL,
  fiat_minor                bigint NOT NULL,
  fee_minor                 bigint NOT NULL,
  crypto                    text NOT NULL,
  crypto_network            text NOT NULL,
  crypto_decimals           integer NOT NULL,
  crypto_minor              bigint NOT NULL,
  limit_minor               bigint NOT NULL,
  masked_pan                text NOT NULL,
  provider_ref              text,
  transaction_status        text,
  transaction_status_code   integer,
  original_status           text,
  original_status_code      integer,
  card_country_code         text,
  card_country_name         text,
  card_bank_name            text,
  success_url               text,
  fail_url                  text,
  cancel_url                text,
  challenge_expires_at      timestamptz,
  created_at                timestamptz NOT NULL,
  updated_at                timestamptz NOT NULL,
  completed_at              timestamptz
);
CREATE INDEX card_payments_customer_idx ON card_payments (customer_id, created_at);
