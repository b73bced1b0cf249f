-- Card customer accounts as the vault.ist clients use them (issue 13): a numeric customer id beside
-- the UUID, the citizenship country they send, an e-mail with its confirmation, password-reset and
-- e-mail codes, deletable saved cards and numbered custodial wallets. Forward-only; runs unchanged on
-- PostgreSQL 15 and PGlite.

-- The clients type customerId as a number. Adding the identity column numbers existing rows too.
ALTER TABLE card_customers ADD COLUMN number bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE card_customers ADD CONSTRAINT card_customers_number_uq UNIQUE (number);
ALTER TABLE card_customers ADD COLUMN citizenship_country text;
-- An e-mail is the customer's once confirmed; until then another customer of the merchant may claim it.
ALTER TABLE card_customers ADD COLUMN email text;
ALTER TABLE card_customers ADD COLUMN email_confirmed_at timestamptz;
CREATE UNIQUE INDEX card_customers_confirmed_email_uq ON card_customers (merchant_id, email) WHERE email_confirmed_at IS NOT NULL;

-- One live code per customer and purpose: an HMAC of it, its expiry, the last send (the resend
-- interval), failed attempts and the cool-down they lead to. An e-mail token is looked up by its HMAC.
CREATE TABLE card_verification_codes (
  customer_id  uuid NOT NULL REFERENCES card_customers(id),
  purpose      text NOT NULL CHECK (purpose IN ('password_reset', 'email')),
  code_hash    text NOT NULL,
  expires_at   timestamptz NOT NULL,
  sent_at      timestamptz NOT NULL,
  attempts     integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  PRIMARY KEY (customer_id, purpose)
);
CREATE UNIQUE INDEX card_verification_codes_email_uq ON card_verification_codes (code_hash) WHERE purpose = 'email';

-- A deleted card leaves every list and cannot be offered on; its row stays for the offers and
-- payments that name it. Saving the same number again brings it back.
ALTER TABLE card_cards ADD COLUMN deleted_at timestamptz;

-- A customer's custodial wallet per crypto: the number the clients show as the wallet id. The
-- balance stays in the ledger (customer_wallet accounts).
CREATE TABLE card_wallets (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id uuid NOT NULL REFERENCES card_customers(id),
  currency    text NOT NULL,
  created_at  timestamptz NOT NULL,
  UNIQUE (customer_id, currency)
);
