-- A requisite's count of active pay-ins, kept by statement-level triggers as its day volumes are (0050_r;
-- issue 16). The trading create's candidate pick counted every matching requisite's active pay-ins and
-- its taken amounts in the range asked, two subqueries per requisite (~2.5 ms of the pick's ~4.5 ms at
-- 200 requisites, where the planner scans them all); the usage read of the locked requisite counted all
-- its open pay-ins again. Now both read the counter, and the range's taken amounts are only counted when
-- the counter cannot tell (open >= amounts in the range).
--
-- Exact for every write to trading_payins, whoever makes it: new rows that are active count +1, old rows
-- that were active -1. In two rows per requisite, as the day volumes are since 0080_e, so a create and
-- the expiry sweep never wait on each other's counter row:
--   part 0: what pay-in inserts add (the creates, under their requisite's row lock);
--   part 1: what updates and deletes change (expiry, cancel, settle, disputes, an operator's SQL).
-- The open count is the sum of the parts. Rows are upserted in requisite order, so two statements never
-- deadlock on them. A requisite without rows has no active pay-in.
CREATE TABLE trading_requisite_open_payins (
  requisite_id  uuid NOT NULL,
  part          smallint NOT NULL CHECK (part IN (0, 1)),
  open          integer NOT NULL,
  PRIMARY KEY (requisite_id, part)
);

CREATE FUNCTION trading_requisite_open_delta() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO trading_requisite_open_payins AS o (requisite_id, part, open)
      SELECT requisite_id, 0, count(*) FROM new_rows WHERE status = 'active'
        GROUP BY 1 ORDER BY 1
      ON CONFLICT (requisite_id, part) DO UPDATE SET open = o.open + excluded.open;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO trading_requisite_open_payins AS o (requisite_id, part, open)
      SELECT requisite_id, 1, -count(*) FROM old_rows WHERE status = 'active'
        GROUP BY 1 ORDER BY 1
      ON CONFLICT (requisite_id, part) DO UPDATE SET open = o.open + excluded.open;
  ELSE
    -- Most updates (a note, a timestamp, a status change between closed ones) change no open count:
    -- only non-zero deltas are written.
    INSERT INTO trading_requisite_open_payins AS o (requisite_id, part, open)
      SELECT requisite_id, 1, sum(delta) FROM (
          SELECT requisite_id, 1 AS delta FROM new_rows WHERE status = 'active'
          UNION ALL
          SELECT requisite_id, -1 FROM old_rows WHERE status = 'active'
        ) d
        GROUP BY 1 HAVING sum(delta) <> 0 ORDER BY 1
      ON CONFLICT (requisite_id, part) DO UPDATE SET open = o.open + excluded.open;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER trading_payins_open_insert AFTER INSERT ON trading_payins
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION trading_requisite_open_delta();
CREATE TRIGGER trading_payins_open_update AFTER UPDATE ON trading_payins
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION trading_requisite_open_delta();
CREATE TRIGGER trading_payins_open_delete AFTER DELETE ON trading_payins
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION trading_requisite_open_delta();

-- The pay-ins written before this migration.
INSERT INTO trading_requisite_open_payins (requisite_id, part, open)
  SELECT requisite_id, 0, count(*) FROM trading_payins WHERE status = 'active' GROUP BY 1;
