-- rampart:no-transaction
-- The webhook claim (db/outbox/webhooks.ts claimDueMessages) takes the first due messages in
-- (next_attempt_at, seq) order. Through an index on next_attempt_at alone every due message was read
-- and sorted before the claim's limit applied, each tested for an earlier pending message of its
-- ordering key: a claim's cost grew with the backlog. In this index's order the claim stops at its
-- limit (with the due messages it skips: leased ones, those waiting on their ordering key) on any
-- statistics, stale or current (test/integration/webhook-claim-plans.test.ts). With 20,000 due
-- messages one worker delivered to one endpoint 2,997-3,526 a second against 2,695-2,876 before
-- (bench/webhook-dispatch.ts, docs/benchmarks.md 2026-12-07).
-- The partial (ordering_key, seq) index is no longer read: the claim's ordering check goes by the full
-- (ordering_key, seq) index of 0037_b, which no statistics can make look empty. Dropping it spares
-- every pending message an index entry. Built and dropped concurrently: the table takes writes from
-- every payment (docs/operations.md#upgrades-without-downtime).
CREATE INDEX CONCURRENTLY IF NOT EXISTS webhook_messages_due_seq_idx ON webhook_messages (next_attempt_at, seq) WHERE status = 'pending';
DROP INDEX CONCURRENTLY IF EXISTS webhook_messages_due_idx;
DROP INDEX CONCURRENTLY IF EXISTS webhook_messages_order_idx;
