-- Test mode's message inbox (issue 19): every SMS and e-mail sent to a test twin's card customers, so
-- the merchant reads its test customers' codes and e-mail links (GET /merchant/v1/test-messages, the
-- portal's Test messages page) without the server log. Only twins' messages are written here (the app
-- checks merchants.test_of before it records), so no live customer's text is ever stored. Bounded: each
-- write keeps the twin's newest 200 rows (src/app/merchants/test-messages.ts says why a count, not an age).
CREATE TABLE test_messages (
  seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  merchant_id uuid NOT NULL REFERENCES merchants(id),
  channel     text NOT NULL CHECK (channel IN ('sms', 'email')),
  recipient   text NOT NULL,
  subject     text,
  body        text NOT NULL,
  created_at  timestamptz NOT NULL
);
CREATE INDEX test_messages_merchant_seq_idx ON test_messages (merchant_id, seq);
