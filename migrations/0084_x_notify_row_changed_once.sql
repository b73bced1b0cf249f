-- notify_row_changed (0062, 0083_n) converted the row to JSON up to three times per changed row to read
-- one column; it runs for every pay-in update, 500 rows a statement in an expiry batch (issue 16). Each
-- row image is now converted once. What is announced is unchanged: the new name on insert and update,
-- the old name on delete and on an update that moved the row to another name.
CREATE OR REPLACE FUNCTION notify_row_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  new_name text;
  old_name text;
BEGIN
  -- TG_ARGV: the channel, then the column that names the row.
  IF TG_OP <> 'DELETE' THEN
    new_name := to_jsonb(NEW) ->> TG_ARGV[1];
    PERFORM pg_notify(TG_ARGV[0], new_name);
  END IF;
  IF TG_OP <> 'INSERT' THEN
    old_name := to_jsonb(OLD) ->> TG_ARGV[1];
    IF TG_OP = 'DELETE' OR old_name IS DISTINCT FROM new_name THEN
      PERFORM pg_notify(TG_ARGV[0], old_name);
    END IF;
  END IF;
  RETURN NULL;
END
$$;
