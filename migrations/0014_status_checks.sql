-- The status columns of the four state machines accept only the statuses their core machines know
-- (src/core/trading/payin-status.ts, src/core/intents/intent-status.ts, src/core/kyc/kyc-case.ts;
-- card_payments has had its CHECK since 0006). The compiler keeps the code to these lists; this keeps
-- the rows to them too, whatever writes them. test/integration/migrations.test.ts compares each list
-- with the core one.
ALTER TABLE trading_payins ADD CONSTRAINT trading_payins_status_known
  CHECK (status IN ('active', 'closed', 'canceled', 'dispute', 'checking', 're_calculation'));
ALTER TABLE trading_payin_events ADD CONSTRAINT trading_payin_events_from_status_known
  CHECK (from_status IN ('active', 'closed', 'canceled', 'dispute', 'checking', 're_calculation'));
ALTER TABLE trading_payin_events ADD CONSTRAINT trading_payin_events_to_status_known
  CHECK (to_status IN ('active', 'closed', 'canceled', 'dispute', 'checking', 're_calculation'));

ALTER TABLE payment_intents ADD CONSTRAINT payment_intents_status_known
  CHECK (status IN (1, 2, 3, 4, 5, 6, 10, 12, 14, 10000, 10001, 10002));
ALTER TABLE payment_intent_events ADD CONSTRAINT payment_intent_events_from_status_known
  CHECK (from_status IN (1, 2, 3, 4, 5, 6, 10, 12, 14, 10000, 10001, 10002));
ALTER TABLE payment_intent_events ADD CONSTRAINT payment_intent_events_to_status_known
  CHECK (to_status IN (1, 2, 3, 4, 5, 6, 10, 12, 14, 10000, 10001, 10002));

ALTER TABLE kyc_cases ADD CONSTRAINT kyc_cases_status_known
  CHECK (status IN ('open', 'submitted', 'pending_vendor', 'review', 'approved', 'rejected', 'abandoned'));
ALTER TABLE kyc_case_events ADD CONSTRAINT kyc_case_events_from_status_known
  CHECK (from_status IN ('open', 'submitted', 'pending_vendor', 'review', 'approved', 'rejected', 'abandoned'));
ALTER TABLE kyc_case_events ADD CONSTRAINT kyc_case_events_to_status_known
  CHECK (to_status IN ('open', 'submitted', 'pending_vendor', 'review', 'approved', 'rejected', 'abandoned'));
