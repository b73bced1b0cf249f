-- Payment intent status reads are cached in each API process (src/app/intents/status-cache.ts).
-- Every change to an intent row is announced on channel intent_changed when its transaction commits,
-- whichever process, job or operator's SQL made it, so every cache drops the entry at once.
-- (NOTIFY is transactional: a rolled-back change announces nothing; duplicates within one
-- transaction are folded into one.)
CREATE FUNCTION notify_intent_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('intent_changed', NEW.id);
  RETURN NULL;
END
$$;

CREATE TRIGGER payment_intents_changed AFTER UPDATE ON payment_intents
  FOR EACH ROW EXECUTE FUNCTION notify_intent_changed();
