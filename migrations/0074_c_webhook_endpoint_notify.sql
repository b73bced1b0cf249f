-- The webhook delivery pool (src/app/outbox/endpoint-stops.ts) holds claimed messages queued per endpoint
-- for up to its lease (~100 s behind a hanging receiver). Whether an endpoint still takes deliveries is
-- announced on channel webhook_endpoint_changed when a change to it commits (payload: '<id> live' or
-- '<id> stopped'), so a worker never sends a queued message to an endpoint deleted, switched off by its
-- merchant or stopped by a 410 since the claim, and needs no query per message to know it.
CREATE FUNCTION notify_webhook_endpoint_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('webhook_endpoint_changed', NEW.id::text || CASE
    WHEN NEW.enabled AND NEW.disabled_at IS NULL AND NEW.deleted_at IS NULL THEN ' live' ELSE ' stopped' END);
  RETURN NULL;
END
$$;

CREATE TRIGGER webhook_endpoints_delivery_changed AFTER UPDATE OF enabled, disabled_at, deleted_at ON webhook_endpoints
  FOR EACH ROW EXECUTE FUNCTION notify_webhook_endpoint_changed();
