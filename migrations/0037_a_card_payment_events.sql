-- Issue 18 (payments explorer): a card payment's status history, as trading pay-ins and payment
-- intents already keep theirs. Written from now on by the one place that changes a card payment's
-- status (src/app/card/transition.ts) and by its creation; payments made before this migration show
-- only their current status.
CREATE TABLE card_payment_events (
  id          bigserial PRIMARY KEY,
  payment_id  uuid NOT NULL REFERENCES card_payments(id),
  from_status text,                              -- null for creation
  to_status   text NOT NULL,
  actor       text NOT NULL,                     -- customer | acquirer | system
  reason      text,                              -- the acquirer's message, or what ended a challenge
  at          timestamptz NOT NULL
);
CREATE INDEX card_payment_events_payment_idx ON card_payment_events (payment_id, id);
