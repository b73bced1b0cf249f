-- rampart:no-transaction
-- The trading expiry sweep claims the due jobs of one kind, 500 at a time (issue 16: a backlog of
-- 100,000 expiries drained in one transaction per batch). Without this index its claim would walk
-- jobs_pending_due_idx through every due job of the other kinds. Built concurrently: the jobs table
-- takes writes from every payment (docs/operations.md#upgrades-without-downtime).
CREATE INDEX CONCURRENTLY IF NOT EXISTS jobs_pending_kind_due_idx ON jobs (kind, due_at) WHERE status = 'pending';
