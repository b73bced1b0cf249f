-- The intent create's two reads (the store with its settings, the pair with its asset) are cached in
-- each API process: src/app/intents/store-cache.ts and src/app/pricing/pair-cache.ts. Every change to
-- a column those reads show is announced at commit, whoever made it (a process, an operator's SQL):
--   intent_store_changed  (store id)  a store's owner, its deletion, or its intent settings;
--   pricing_pair_changed  (network)   a pair or an asset on that network (an asset names no pair,
--                                     so the network drops every pair entry of it; these rows are rare writes).
-- notify_row_changed (0062) also names the old row when an update moves it to another name, so the
-- entry under the old name is dropped as well.
CREATE OR REPLACE FUNCTION notify_row_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- TG_ARGV: the channel, then the column that names the row.
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify(TG_ARGV[0], to_jsonb(OLD) ->> TG_ARGV[1]);
  ELSE
    PERFORM pg_notify(TG_ARGV[0], to_jsonb(NEW) ->> TG_ARGV[1]);
    IF TG_OP = 'UPDATE' AND (to_jsonb(OLD) ->> TG_ARGV[1]) IS DISTINCT FROM (to_jsonb(NEW) ->> TG_ARGV[1]) THEN
      PERFORM pg_notify(TG_ARGV[0], to_jsonb(OLD) ->> TG_ARGV[1]);
    END IF;
  END IF;
  RETURN NULL;
END
$$;

-- A store that does not exist is not cached, so inserting one announces nothing.
CREATE TRIGGER stores_intent_store_changed AFTER UPDATE OF id, merchant_id OR DELETE ON stores
  FOR EACH ROW EXECUTE FUNCTION notify_row_changed('intent_store_changed', 'id');

-- A store without settings is cached (refused as not configured): inserting them announces it.
CREATE TRIGGER intent_store_settings_changed AFTER INSERT OR UPDATE OR DELETE ON intent_store_settings
  FOR EACH ROW EXECUTE FUNCTION notify_row_changed('intent_store_changed', 'store_id');

CREATE TRIGGER pairs_pricing_changed AFTER INSERT OR UPDATE OR DELETE ON pairs
  FOR EACH ROW EXECUTE FUNCTION notify_row_changed('pricing_pair_changed', 'network');

-- A pair whose asset is missing or disabled is cached (refused): adding or enabling it announces it.
CREATE TRIGGER assets_pricing_changed AFTER INSERT OR UPDATE OR DELETE ON assets
  FOR EACH ROW EXECUTE FUNCTION notify_row_changed('pricing_pair_changed', 'network');
