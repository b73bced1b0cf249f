-- Staff accounts for the operator console (issue 18): people sign in with e-mail, password and a TOTP
-- code; each has one role. Operator API keys stay for automation and get a role too (existing keys
-- keep every right they had: admin). Failed sign-ins are counted in card_login_failures, under keys
-- 'staff:<email>' and 'staff-ip:<email>:<ip>', with the card customers' thresholds.
CREATE TABLE operator_users (
  id              uuid PRIMARY KEY,
  email           text NOT NULL,
  password_hash   text NOT NULL,
  role            text NOT NULL CHECK (role IN ('admin', 'support', 'finance', 'viewer')),
  -- The TOTP secret, encrypted with the server secret; set at enrolment, confirmed by a first code.
  totp_secret_enc text,
  totp_enabled_at timestamptz,
  -- The last accepted TOTP time step: a code is accepted once.
  totp_last_step  bigint,
  created_at      timestamptz NOT NULL DEFAULT now(),
  disabled_at     timestamptz
);
CREATE UNIQUE INDEX operator_users_email ON operator_users (lower(email));

-- Recovery codes: shown once, kept as SHA-256 of the code (each is 80 random bits); one use each.
CREATE TABLE operator_recovery_codes (
  user_id    uuid NOT NULL REFERENCES operator_users(id),
  code_hash  bytea NOT NULL,
  used_at    timestamptz,
  PRIMARY KEY (user_id, code_hash)
);

-- Server-side sessions: the cookie holds a random token, the table its SHA-256. A session starts at
-- stage 'password' (the password was right, the second factor is still due) and becomes 'full'.
CREATE TABLE operator_sessions (
  token_hash  bytea PRIMARY KEY,
  user_id     uuid NOT NULL REFERENCES operator_users(id),
  stage       text NOT NULL CHECK (stage IN ('password', 'full')),
  ip          text NOT NULL,
  created_at  timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL,
  revoked_at  timestamptz
);
CREATE INDEX operator_sessions_user ON operator_sessions (user_id) WHERE revoked_at IS NULL;

ALTER TABLE operator_keys ADD COLUMN role text NOT NULL DEFAULT 'admin' CHECK (role IN ('admin', 'support', 'finance', 'viewer'));
