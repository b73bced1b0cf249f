-- The planner's price of reading a page out of order: 1.1 instead of PostgreSQL's default 4.0, which
-- models a spinning disk. On solid-state storage, or a database that fits in memory (the usual home of
-- Rampart's database), 4.0 makes an index walk look four times dearer than it is. Issue 16: once the
-- database has statistics (autovacuum gathers them soon after the first rows), the trading create's
-- requisite pick read all 200 requisites and their open-count counters by full scans and sorted them,
-- where the least-recently-used index stops after the first few: the create served 666–711 req/s
-- with the statistics kept current, against 1,045 at 1.1 (bench/trading-create.ts, docs/benchmarks.md).
-- Set for this database only, for the sessions that start after it, and only where nobody chose a
-- value (the server's, this database's and the migrating role's settings are all seen here): an
-- operator's own choice stays. A role that may not alter the database is told so and goes on.
DO $$
BEGIN
  IF current_setting('random_page_cost')::float8 = 4 THEN
    EXECUTE format('ALTER DATABASE %I SET random_page_cost = 1.1', current_database());
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'random_page_cost left at %: this role may not alter database %; see docs/operations.md', current_setting('random_page_cost'), current_database();
END
$$;
