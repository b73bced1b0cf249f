-- Active merchant API keys are cached in each API process (src/app/auth/api-key-cache.ts). A change to
-- a key (a revocation, whoever makes it: the admin API, another process, an operator's SQL) is
-- announced on channel api_key_changed (payload: the key id) when it commits, so every process stops
-- accepting a revoked key at once.
CREATE FUNCTION notify_api_key_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('api_key_changed', OLD.id);
  ELSE
    PERFORM pg_notify('api_key_changed', NEW.id);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER api_keys_changed AFTER UPDATE OR DELETE ON api_keys
  FOR EACH ROW EXECUTE FUNCTION notify_api_key_changed();
