-- The risk engine (issue 17, docs/risk.md). Rules are data: platform-wide defaults (merchant_id NULL)
-- and each merchant's own. API processes cache them (src/app/risk/rule-cache.ts); every change is
-- announced on channel risk_rules_changed (payload: the merchant id, or '*' for platform rows), so a
-- merchant without rules costs its creates no query at all, and an edit applies to the next payment.
CREATE TABLE risk_rules (
  id          uuid PRIMARY KEY,
  merchant_id uuid REFERENCES merchants(id),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  weight      integer NOT NULL CHECK (weight BETWEEN 0 AND 100),
  spec        jsonb NOT NULL,
  enabled     boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL
);
CREATE INDEX risk_rules_merchant_idx ON risk_rules (merchant_id, created_at);

-- Per merchant: the score thresholds and what the payer page does when opened from another IP or
-- user agent than the payer info the merchant sent.
CREATE TABLE risk_settings (
  merchant_id uuid PRIMARY KEY REFERENCES merchants(id),
  review_at   integer NOT NULL CHECK (review_at BETWEEN 1 AND 101),
  block_at    integer NOT NULL CHECK (block_at BETWEEN 1 AND 101),
  page_access text NOT NULL DEFAULT 'log' CHECK (page_access IN ('off', 'log', 'deny')),
  updated_at  timestamptz NOT NULL,
  CHECK (review_at <= block_at)
);

CREATE FUNCTION notify_risk_rules_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('risk_rules_changed', coalesce(OLD.merchant_id::text, '*'));
  ELSE
    PERFORM pg_notify('risk_rules_changed', coalesce(NEW.merchant_id::text, '*'));
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER risk_rules_changed AFTER INSERT OR UPDATE OR DELETE ON risk_rules
  FOR EACH ROW EXECUTE FUNCTION notify_risk_rules_changed();
CREATE TRIGGER risk_settings_changed AFTER INSERT OR UPDATE OR DELETE ON risk_settings
  FOR EACH ROW EXECUTE FUNCTION notify_risk_rules_changed();

-- One row per payment counted by a velocity rule, per signal value (key = merchant|signal|value).
-- Counting happens under a transaction advisory lock on the key, and reads only the key's rows inside
-- the rule's window through the index (a count stops at the limit), so it is exact under concurrency
-- and stays fast however many payments there are. Rows older than the longest window are purged.
CREATE TABLE risk_velocity_events (
  key          text NOT NULL,
  at           timestamptz NOT NULL,
  amount_minor bigint NOT NULL,
  currency     text NOT NULL,
  user_id      text,
  payment_id   text NOT NULL
);
CREATE INDEX risk_velocity_events_key_at_idx ON risk_velocity_events (key, at);
CREATE INDEX risk_velocity_events_at_idx ON risk_velocity_events (at);

-- What Rampart has seen of a payer (by the merchant's userId): payments created while rules were
-- active, and trading disputes decided "not paid".
CREATE TABLE risk_payer_stats (
  merchant_id       uuid NOT NULL REFERENCES merchants(id),
  user_id           text NOT NULL,
  payments_seen     integer NOT NULL DEFAULT 0,
  not_paid_disputes integer NOT NULL DEFAULT 0,
  PRIMARY KEY (merchant_id, user_id)
);

-- The decision of every payment that met at least one rule, and of every refused attempt (payment_id
-- NULL). review_status is set for held payments and moves only through core/risk/review-status.ts.
CREATE TABLE risk_decisions (
  id            uuid PRIMARY KEY,
  merchant_id   uuid NOT NULL REFERENCES merchants(id),
  flow          text NOT NULL CHECK (flow IN ('trading', 'intent', 'card')),
  payment_id    text,
  decision      text NOT NULL CHECK (decision IN ('allow', 'review', 'block')),
  score         integer NOT NULL CHECK (score BETWEEN 0 AND 100),
  reasons       jsonb NOT NULL,
  review_status text CHECK (review_status IN ('pending', 'released', 'rejected')),
  reviewed_by   text,
  reviewed_at   timestamptz,
  created_at    timestamptz NOT NULL,
  CHECK ((decision = 'review') = (review_status IS NOT NULL)),
  CHECK (decision = 'block' OR payment_id IS NOT NULL)
);
CREATE UNIQUE INDEX risk_decisions_payment_uq ON risk_decisions (flow, payment_id) WHERE payment_id IS NOT NULL;
CREATE INDEX risk_decisions_merchant_idx ON risk_decisions (merchant_id, created_at DESC);
CREATE INDEX risk_decisions_pending_idx ON risk_decisions (created_at) WHERE review_status = 'pending';
