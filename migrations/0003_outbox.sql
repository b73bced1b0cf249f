-- Side effects: due-time jobs, outgoing webhooks (messages, attempts, endpoints), idempotency keys and
-- operator notifications. Forward-only; runs unchanged on PostgreSQL 15 and PGlite.

-- Jobs: due work lives here, never in memory. `key` makes enqueueing idempotent. A worker claims due
-- rows (or rows whose lease expired: a killed worker) with FOR UPDATE SKIP LOCKED, stamps a lease and
-- its own id, commits, runs the handler, and records the outcome only while it still holds the lease.
CREATE TABLE jobs (
  id          uuid PRIMARY KEY,
  kind        text NOT NULL,
  key         text NOT NULL UNIQUE,
  payload     jsonb NOT NULL,
  due_at      timestamptz NOT NULL,
  status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
  attempts    integer NOT NULL DEFAULT 0,
  lease_until timestamptz,
  locked_by   text,
  last_error  text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_pending_due_idx ON jobs (due_at) WHERE status = 'pending';
CREATE INDEX jobs_running_lease_idx ON jobs (lease_until) WHERE status = 'running';

-- A merchant's webhook endpoint for envelope-format messages; one per (merchant, url). A 410 from the
-- receiver disables it (delivery stops until an operator re-enables it or the merchant changes URL).
CREATE TABLE webhook_endpoints (
  id              uuid PRIMARY KEY,
  merchant_id     uuid NOT NULL REFERENCES merchants(id),
  url             text NOT NULL,
  secret_enc      text,
  disabled_at     timestamptz,
  disabled_reason text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (merchant_id, url)
);

-- One outgoing event. `seq` orders messages of one ordering_key: a later one waits until every
-- earlier one is delivered or failed. The signing key is a reference, resolved at send time.
CREATE TABLE webhook_messages (
  seq             bigserial PRIMARY KEY,
  event_id        text NOT NULL UNIQUE,
  merchant_id     uuid NOT NULL REFERENCES merchants(id),
  endpoint_id     uuid NOT NULL REFERENCES webhook_endpoints(id),
  format          text NOT NULL CHECK (format IN ('trading', 'intent_ipn', 'envelope')),
  url             text NOT NULL,
  ordering_key    text NOT NULL,
  body            text,
  query           jsonb,
  signing_key_ref jsonb NOT NULL,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  lease_until     timestamptz,
  locked_by       text,
  last_error      text,
  delivered_at    timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_messages_due_idx ON webhook_messages (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_messages_order_idx ON webhook_messages (ordering_key, seq) WHERE status = 'pending';
CREATE INDEX webhook_messages_merchant_idx ON webhook_messages (merchant_id, seq);
CREATE INDEX webhook_messages_endpoint_idx ON webhook_messages (endpoint_id, status);

CREATE TABLE webhook_attempts (
  id            uuid PRIMARY KEY,
  message_seq   bigint NOT NULL REFERENCES webhook_messages(seq),
  attempt       integer NOT NULL,
  at            timestamptz NOT NULL,
  url           text NOT NULL,
  status_code   integer,
  latency_ms    integer NOT NULL,
  response_body text,
  error         text
);
CREATE INDEX webhook_attempts_message_idx ON webhook_attempts (message_seq, attempt);

CREATE TABLE operator_notifications (
  id         uuid PRIMARY KEY,
  kind       text NOT NULL,
  subject    text NOT NULL,
  message    text NOT NULL,
  details    jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL,
  read_at    timestamptz
);
CREATE INDEX operator_notifications_created_idx ON operator_notifications (created_at);

-- Idempotency-Key: the first request claims (scope, key) in flight; its response is stored so a repeat
-- with the same fingerprint replays it byte for byte.
CREATE TABLE idempotency_keys (
  scope            text NOT NULL,
  key              text NOT NULL,
  fingerprint      text NOT NULL,
  status           text NOT NULL DEFAULT 'in_flight' CHECK (status IN ('in_flight', 'done')),
  response_status  integer,
  response_headers jsonb,
  response_body    text,
  created_at       timestamptz NOT NULL,
  expires_at       timestamptz NOT NULL,
  PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_expires_idx ON idempotency_keys (expires_at);
