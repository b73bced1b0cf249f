-- The webhook queue's statistics refreshed after 1,000 changed rows, whatever the table's size.
-- The claim (db/outbox/webhooks.ts claimDueMessages) is planned on them. With statistics from quiet
-- hours (almost nothing pending) a burst of messages was claimed with a plan that compares every pending
-- message with every other: a backlog of 5,000 drained at about 250 a second, one of 20,000 did not
-- drain in 250 s, where the same backlog analyzed drains at 2,000-3,600 a second (bench/webhook-dispatch.ts
-- BENCH_STALE_STATS=1, docs/benchmarks.md 2026-12-07). PostgreSQL's default asks for a tenth of the
-- table to change first: on a queue whose delivered history is a million rows, 100,000 messages. Now
-- autovacuum's next round (autovacuum_naptime, a minute by default) analyzes the table once 1,000
-- rows changed. Autovacuum settings take a lock that reads and writes do not wait for.
ALTER TABLE webhook_messages SET (autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 1000);
