-- The trading expiry sweep claims the due jobs of one kind, 500 at a time (issue 16: a backlog of
-- 100,000 expiries drained in one transaction per batch). Without this index its claim would walk
-- jobs_pending_due_idx through every due job of the other kinds. Built in the migration's transaction
-- like the others: a no-transaction CONCURRENTLY build deadlocks processes that migrate at the same
-- time (test/integration/migrations.test.ts). On a large installation build it by hand first with
-- CREATE INDEX CONCURRENTLY IF NOT EXISTS, as docs/operations.md says for the explorer's indexes.
CREATE INDEX IF NOT EXISTS jobs_pending_kind_due_idx ON jobs (kind, due_at) WHERE status = 'pending';
