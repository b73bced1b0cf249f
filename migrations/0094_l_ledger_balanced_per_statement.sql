-- Issue 16: migration 0002 checked a transfer at commit once for its own row and once for each entry,
-- each time with two queries: three checks of the same transfer for a two-leg hold, about 60 µs of
-- PostgreSQL's CPU per transfer, a fifth of a trading create's. The same rules, checked once:
--  * entries: once per statement that inserts them, over its new rows (a statement-level trigger): every
--    transfer they touch, with all its entries (earlier ones too), sums to zero per asset after that
--    statement. Each statement that adds entries must leave its transfers balanced; Rampart writes a
--    transfer and all its entries in one statement (db/ledger/ledger-store.ts coveredWrite);
--  * transfers: at commit, each new transfer has at least two entries (deferred, one query), so a
--    transfer row whose entries never came cannot commit.
DROP TRIGGER ledger_entries_balanced ON ledger_entries;
DROP TRIGGER ledger_transfers_balanced ON ledger_transfers;
DROP FUNCTION ledger_check_transfer_balanced();

CREATE FUNCTION ledger_check_entries_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  -- Each transfer probed by its index (a lateral lookup): as a semi-join, the plan PL/pgSQL cached
  -- while the table was small merged the new rows with every entry (0.5 ms at 2,000 entries, growing).
  SELECT t.transfer_id, b.asset INTO bad
  FROM (SELECT DISTINCT n.transfer_id FROM new_entries n) t
  CROSS JOIN LATERAL (SELECT e.asset FROM ledger_entries e WHERE e.transfer_id = t.transfer_id
                      GROUP BY e.asset HAVING sum(e.amount) <> 0 LIMIT 1) b
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'ledger transfer % does not balance in %', bad.transfer_id, bad.asset USING ERRCODE = '23514';
  END IF;
  RETURN NULL;
END;
$$;

CREATE FUNCTION ledger_check_transfer_has_entries() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
BEGIN
  SELECT count(*) INTO n FROM ledger_entries WHERE transfer_id = NEW.id;
  IF n < 2 THEN
    RAISE EXCEPTION 'ledger transfer % has % entries (needs at least 2)', NEW.id, n USING ERRCODE = '23514';
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER ledger_entries_balanced AFTER INSERT ON ledger_entries REFERENCING NEW TABLE AS new_entries
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_check_entries_balanced();
CREATE CONSTRAINT TRIGGER ledger_transfers_have_entries AFTER INSERT ON ledger_transfers
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_transfer_has_entries();
