-- A requisite's fiat volume per UTC day, kept by trigger (issue 16, "allocation stays flat"): the create
-- checked a requisite's daily and monthly limits by summing every pay-in it had this month, a read that
-- grew with the month's traffic (the trading create's p50 drifted from 7 to 20 ms within a minute of
-- load). Now the month is at most 31 counter rows.
--
-- The counters are exact for every write to trading_payins, whoever makes it (create, expiry, cancel,
-- re-calculation of the amount, a test's direct insert): statement-level triggers take the old rows'
-- volume out and put the new rows' in, canceled pay-ins counting nothing, as the summing read did.
-- Rows are upserted in (requisite_id, day) order, so two statements touching the same requisites lock
-- their counters in the same order and never deadlock; a create already holds its requisite's row lock.
CREATE TABLE trading_requisite_day_volumes (
  requisite_id  uuid NOT NULL,
  day           date NOT NULL,
  volume_minor  bigint NOT NULL,
  PRIMARY KEY (requisite_id, day)
);

CREATE FUNCTION trading_requisite_volume_delta() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO trading_requisite_day_volumes AS v (requisite_id, day, volume_minor)
      SELECT requisite_id, (created_at AT TIME ZONE 'UTC')::date, sum(fiat_amount_minor)
        FROM new_rows WHERE status <> 'canceled'
        GROUP BY 1, 2 ORDER BY 1, 2
      ON CONFLICT (requisite_id, day) DO UPDATE SET volume_minor = v.volume_minor + excluded.volume_minor;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO trading_requisite_day_volumes AS v (requisite_id, day, volume_minor)
      SELECT requisite_id, (created_at AT TIME ZONE 'UTC')::date, -sum(fiat_amount_minor)
        FROM old_rows WHERE status <> 'canceled'
        GROUP BY 1, 2 ORDER BY 1, 2
      ON CONFLICT (requisite_id, day) DO UPDATE SET volume_minor = v.volume_minor + excluded.volume_minor;
  ELSE
    -- Most updates (a status other than canceled, a note, a timestamp) change no volume: only non-zero
    -- deltas are written.
    INSERT INTO trading_requisite_day_volumes AS v (requisite_id, day, volume_minor)
      SELECT requisite_id, day, sum(delta) FROM (
          SELECT requisite_id, (created_at AT TIME ZONE 'UTC')::date AS day, fiat_amount_minor AS delta FROM new_rows WHERE status <> 'canceled'
          UNION ALL
          SELECT requisite_id, (created_at AT TIME ZONE 'UTC')::date, -fiat_amount_minor FROM old_rows WHERE status <> 'canceled'
        ) d
        GROUP BY 1, 2 HAVING sum(delta) <> 0 ORDER BY 1, 2
      ON CONFLICT (requisite_id, day) DO UPDATE SET volume_minor = v.volume_minor + excluded.volume_minor;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER trading_payins_volume_insert AFTER INSERT ON trading_payins
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION trading_requisite_volume_delta();
CREATE TRIGGER trading_payins_volume_update AFTER UPDATE ON trading_payins
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION trading_requisite_volume_delta();
CREATE TRIGGER trading_payins_volume_delete AFTER DELETE ON trading_payins
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION trading_requisite_volume_delta();

-- The pay-ins written before this migration.
INSERT INTO trading_requisite_day_volumes (requisite_id, day, volume_minor)
  SELECT requisite_id, (created_at AT TIME ZONE 'UTC')::date, sum(fiat_amount_minor)
    FROM trading_payins WHERE status <> 'canceled'
    GROUP BY 1, 2;
