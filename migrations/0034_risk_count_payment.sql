-- One round trip for a payment's velocity counts (issue 17, bench/risk-create.ts): lock the payment's
-- velocity keys, read every rule's window, count the payer and record the payment under its keys, in
-- one call instead of five statements. Exactness rests on the same order as before: the keys' advisory
-- locks are taken in a fixed order by the first statement, and the windows are read by a later
-- statement of this VOLATILE function, which (READ COMMITTED) takes a fresh snapshot and so sees every
-- payment committed by a transaction that held a lock before this one. Writing the payment's events
-- before the decision is safe: a block rolls back the create's transaction and every row written here.
-- Additive (a new function only): code before this migration never calls it.
CREATE FUNCTION risk_count_payment(
  p_keys         text[],
  p_rule_ids     text[],
  p_rule_keys    text[],
  p_since        timestamptz[],
  p_measures     text[],
  p_caps         integer[],
  p_currencies   text[],
  p_merchant_id  uuid,
  p_user_id      text,
  p_count_payer  boolean,
  p_at           timestamptz,
  p_amount       bigint,
  p_currency     text,
  p_payment_id   text
) RETURNS jsonb LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_windows jsonb;
  v_payer   jsonb;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('risk_velocity'), hashtext(k)) FROM unnest(p_keys) AS k ORDER BY k;

  -- Per rule, the window before this payment: count (stops at the cap), sum in the rule's currency,
  -- or the distinct userIds with this payment's own userId among them.
  SELECT coalesce(jsonb_object_agg(r.rule_id, (
      CASE r.measure
        WHEN 'count' THEN (SELECT count(*) FROM (SELECT 1 FROM risk_velocity_events e WHERE e.key = r.key AND e.at > r.since LIMIT r.cap) c)
        WHEN 'sum' THEN (SELECT coalesce(sum(e.amount_minor), 0) FROM risk_velocity_events e WHERE e.key = r.key AND e.at > r.since AND e.currency = r.currency)
        ELSE (SELECT count(DISTINCT u.user_id) FROM (
                SELECT e.user_id FROM risk_velocity_events e WHERE e.key = r.key AND e.at > r.since AND e.user_id IS NOT NULL
                UNION ALL SELECT p_user_id WHERE p_user_id IS NOT NULL) u)
      END)::text), '{}'::jsonb)
    INTO v_windows
    FROM unnest(p_rule_ids, p_rule_keys, p_since, p_measures, p_caps, p_currencies) AS r(rule_id, key, since, measure, cap, currency);

  IF p_count_payer AND p_user_id IS NOT NULL THEN
    INSERT INTO risk_payer_stats AS s (merchant_id, user_id, payments_seen) VALUES (p_merchant_id, p_user_id, 1)
      ON CONFLICT (merchant_id, user_id) DO UPDATE SET payments_seen = s.payments_seen + 1
      RETURNING jsonb_build_object('paymentsSeen', s.payments_seen - 1, 'notPaidDisputes', s.not_paid_disputes) INTO v_payer;
  END IF;

  INSERT INTO risk_velocity_events (key, at, amount_minor, currency, user_id, payment_id)
    SELECT k, p_at, p_amount, p_currency, p_user_id, p_payment_id FROM unnest(p_keys) AS k;

  RETURN jsonb_build_object('windows', v_windows, 'payer', v_payer);
END
$$;
