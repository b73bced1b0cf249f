-- Issue 16 (expiry): a pay-in update announced itself once per row, twice (0028 names the trader, 0062
-- the pay-in), so an expiry batch of 500 ran 1,000 plpgsql calls with a row-to-jsonb each and queued
-- 1,000 notifications that every listening session then read through. Now each statement announces
-- once: trading_payin_row_changed lists the statement's pay-in ids comma-separated (split every 200
-- ids in id order, under PostgreSQL's 8000-byte payload limit; the read cache splits them,
-- src/app/trading/payin-read-cache.ts), and trading_payin_changed names each distinct trader once.
-- What is announced, and when (at commit), is unchanged.
DROP TRIGGER trading_payins_row_changed ON trading_payins;
DROP TRIGGER trading_payins_changed ON trading_payins;
DROP FUNCTION notify_trading_payin_changed();

CREATE FUNCTION notify_payin_rows_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('trading_payin_row_changed', string_agg(id::text, ',' ORDER BY id))
    FROM (SELECT id, (row_number() OVER (ORDER BY id) - 1) / 200 AS part FROM changed_rows) r GROUP BY part;
  RETURN NULL;
END
$$;

CREATE TRIGGER trading_payins_rows_updated AFTER UPDATE ON trading_payins
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_payin_rows_changed();
CREATE TRIGGER trading_payins_rows_deleted AFTER DELETE ON trading_payins
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_payin_rows_changed();

CREATE FUNCTION notify_payin_traders_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('trading_payin_changed', trader_id::text) FROM (SELECT DISTINCT trader_id FROM changed_rows) t;
  RETURN NULL;
END
$$;

CREATE TRIGGER trading_payins_traders_inserted AFTER INSERT ON trading_payins
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_payin_traders_changed();
CREATE TRIGGER trading_payins_traders_updated AFTER UPDATE ON trading_payins
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_payin_traders_changed();
