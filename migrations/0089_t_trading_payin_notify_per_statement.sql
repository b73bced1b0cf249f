-- The two notifications of a trading pay-in change (0028_a: the trader's id on trading_payin_changed,
-- for the cabinet; 0062_r/0084_x: the pay-in's id on trading_payin_row_changed, for the status-read
-- caches) came from row-level triggers: a PL/pgSQL call per row, and for the row channel a JSON image
-- of the whole row to read its id. Every create batch inserts up to 32 pay-ins in one statement, and
-- the expiry sweep updates 500 in one (issue 16). One statement-level trigger per operation now reads
-- the transition tables once. What is announced is unchanged (PostgreSQL folds repeats of a channel
-- and payload within a transaction anyway):
--   insert: each trader once on trading_payin_changed; nothing on the row channel (0062_r: caches hold
--           only rows that were found);
--   update: each trader of the new rows once on trading_payin_changed, and each pay-in's id, new and
--           old, on trading_payin_row_changed;
--   delete: each old pay-in's id on trading_payin_row_changed.
--
-- DROP TRIGGER takes trading_payins' exclusive lock for the rest of this transaction (a moment). Behind a
-- long transaction on the table it would wait, and every create and read would queue behind it: it
-- waits 5 s at most, then the migration fails having changed nothing, and `rampart migrate` is run
-- again (docs/operations.md#upgrades-without-downtime).
SET LOCAL lock_timeout = '5s';

CREATE FUNCTION notify_trading_payins_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM pg_notify('trading_payin_changed', trader_id) FROM (SELECT DISTINCT trader_id FROM new_rows) t;
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM pg_notify('trading_payin_changed', trader_id) FROM (SELECT DISTINCT trader_id FROM new_rows) t;
    PERFORM pg_notify('trading_payin_row_changed', id::text) FROM (SELECT id FROM new_rows UNION SELECT id FROM old_rows) c;
  ELSE
    PERFORM pg_notify('trading_payin_row_changed', id::text) FROM old_rows;
  END IF;
  RETURN NULL;
END
$$;

DROP TRIGGER trading_payins_changed ON trading_payins;
DROP TRIGGER trading_payins_row_changed ON trading_payins;
DROP FUNCTION notify_trading_payin_changed();

CREATE TRIGGER trading_payins_notify_insert AFTER INSERT ON trading_payins
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_trading_payins_changed();
CREATE TRIGGER trading_payins_notify_update AFTER UPDATE ON trading_payins
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_trading_payins_changed();
CREATE TRIGGER trading_payins_notify_delete AFTER DELETE ON trading_payins
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_trading_payins_changed();
