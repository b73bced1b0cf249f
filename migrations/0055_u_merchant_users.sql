-- Merchant users for the merchant portal at /merchant (issue 19): people of one merchant who sign in
-- with e-mail, password and a TOTP code, like the operator console's staff (0036_a), each with one role.
-- A user starts as an invitation: no password yet, the SHA-256 of a one-time link's token and its
-- expiry; following the link sets the password, then the TOTP enrolment completes the account.
CREATE TABLE merchant_users (
  id                uuid PRIMARY KEY,
  merchant_id       uuid NOT NULL REFERENCES merchants(id),
  email             text NOT NULL,
  -- Null until the invitation is accepted.
  password_hash     text,
  role              text NOT NULL CHECK (role IN ('owner', 'developer', 'finance', 'support')),
  totp_secret_enc   text,
  totp_enabled_at   timestamptz,
  totp_last_step    bigint,
  invite_token_hash bytea,
  invite_expires_at timestamptz,
  -- Who invited: 'operator:<id>', 'staff:<id>' or 'merchant-user:<id>'.
  invited_by        text NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  disabled_at       timestamptz,
  CHECK ((invite_token_hash IS NULL) = (invite_expires_at IS NULL))
);
-- One account per e-mail across merchants: sign-in finds the account by e-mail alone.
CREATE UNIQUE INDEX merchant_users_email ON merchant_users (lower(email));
CREATE INDEX merchant_users_merchant ON merchant_users (merchant_id, created_at);
CREATE UNIQUE INDEX merchant_users_invite ON merchant_users (invite_token_hash) WHERE invite_token_hash IS NOT NULL;

CREATE TABLE merchant_user_recovery_codes (
  user_id    uuid NOT NULL REFERENCES merchant_users(id),
  code_hash  bytea NOT NULL,
  used_at    timestamptz,
  PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE merchant_user_sessions (
  token_hash  bytea PRIMARY KEY,
  user_id     uuid NOT NULL REFERENCES merchant_users(id),
  stage       text NOT NULL CHECK (stage IN ('password', 'full')),
  ip          text NOT NULL,
  created_at  timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL,
  revoked_at  timestamptz
);
CREATE INDEX merchant_user_sessions_user ON merchant_user_sessions (user_id) WHERE revoked_at IS NULL;
