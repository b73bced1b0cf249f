-- Card bearer sessions are cached in each API process (src/app/card/session-cache.ts). What the cache
-- holds, whether a session is still open and the customer's KYC level, is announced on channel
-- card_customer_changed (payload: the customer id) when a change to it commits, whoever made it.
-- The trigger's argument names the column that holds the customer id.
CREATE FUNCTION notify_card_customer_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('card_customer_changed', to_jsonb(NEW) ->> TG_ARGV[0]);
  RETURN NULL;
END
$$;

CREATE TRIGGER card_sessions_changed AFTER UPDATE ON card_sessions
  FOR EACH ROW WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at OR OLD.customer_id IS DISTINCT FROM NEW.customer_id)
  EXECUTE FUNCTION notify_card_customer_changed('customer_id');

CREATE TRIGGER card_customers_changed AFTER UPDATE ON card_customers
  FOR EACH ROW WHEN (OLD.kyc_level IS DISTINCT FROM NEW.kyc_level OR OLD.merchant_id IS DISTINCT FROM NEW.merchant_id)
  EXECUTE FUNCTION notify_card_customer_changed('id');
