-- A requisite's day-volume counter (0050_r) in two rows per day, so the expiry sweep and a create never
-- wait on each other's counter lock (issue 16): a 500-pay-in expiry batch's status update waited
-- 0.6-1.8 s on the creates' counter rows while its own work took ~30 ms (docs/benchmarks.md, "Trading
-- expiry"), and while the batch held them every create of those requisites waited on it in turn.
--   part 0: what pay-in inserts add (the creates);
--   part 1: what updates and deletes change (expiry, cancel, re-calculation, an operator's SQL).
-- A day's volume is the sum of its parts, so the volume read (requisiteUsage) is unchanged and still
-- reads at most 62 rows a month; the counters stay exact for every write, as before. A create holds
-- only part 0 (and its trader's balance rows), a batch part 1 (then the balance rows it voids): no
-- counter row is shared, so neither waits on the other there. Batches and cancels still upsert their
-- part 1 rows in (requisite_id, day) order and never deadlock with each other.
ALTER TABLE trading_requisite_day_volumes ADD COLUMN part smallint NOT NULL DEFAULT 0 CHECK (part IN (0, 1));
ALTER TABLE trading_requisite_day_volumes DROP CONSTRAINT trading_requisite_day_volumes_pkey;
ALTER TABLE trading_requisite_day_volumes ADD PRIMARY KEY (requisite_id, day, part);

CREATE OR REPLACE FUNCTION trading_requisite_volume_delta() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO trading_requisite_day_volumes AS v (requisite_id, day, part, volume_minor)
      SELECT requisite_id, (created_at AT TIME ZONE 'UTC')::date, 0, sum(fiat_amount_minor)
        FROM new_rows WHERE status <> 'canceled'
        GROUP BY 1, 2 ORDER BY 1, 2
      ON CONFLICT (requisite_id, day, part) DO UPDATE SET volume_minor = v.volume_minor + excluded.volume_minor;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO trading_requisite_day_volumes AS v (requisite_id, day, part, volume_minor)
      SELECT requisite_id, (created_at AT TIME ZONE 'UTC')::date, 1, -sum(fiat_amount_minor)
        FROM old_rows WHERE status <> 'canceled'
        GROUP BY 1, 2 ORDER BY 1, 2
      ON CONFLICT (requisite_id, day, part) DO UPDATE SET volume_minor = v.volume_minor + excluded.volume_minor;
  ELSE
    -- Most updates (a status other than canceled, a note, a timestamp) change no volume: only non-zero
    -- deltas are written.
    INSERT INTO trading_requisite_day_volumes AS v (requisite_id, day, part, volume_minor)
      SELECT requisite_id, day, 1, sum(delta) FROM (
          SELECT requisite_id, (created_at AT TIME ZONE 'UTC')::date AS day, fiat_amount_minor AS delta FROM new_rows WHERE status <> 'canceled'
          UNION ALL
          SELECT requisite_id, (created_at AT TIME ZONE 'UTC')::date, -fiat_amount_minor FROM old_rows WHERE status <> 'canceled'
        ) d
        GROUP BY 1, 2 HAVING sum(delta) <> 0 ORDER BY 1, 2
      ON CONFLICT (requisite_id, day, part) DO UPDATE SET volume_minor = v.volume_minor + excluded.volume_minor;
  END IF;
  RETURN NULL;
END
$$;
