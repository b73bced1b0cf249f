-- The intent status read carries the intent's risk decision (src/app/intents/status-cache.ts), so a
-- decision's change (a review released or rejected, by any process or by hand) must drop the cached
-- status like a change of the intent row does (0009): announce the intent on intent_changed.
CREATE FUNCTION notify_intent_risk_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('intent_changed', NEW.payment_id);
  RETURN NULL;
END
$$;

CREATE TRIGGER risk_decisions_intent_changed AFTER UPDATE ON risk_decisions
  FOR EACH ROW WHEN (NEW.flow = 'intent' AND NEW.payment_id IS NOT NULL) EXECUTE FUNCTION notify_intent_risk_changed();
