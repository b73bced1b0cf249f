-- rampart:no-transaction
-- A job's group (issue 16): the trading expiry job carries its pay-in's trader, and the expiry sweep
-- claims a batch from one group that no other worker's batch holds (jobs.ts claimDueJobGroup). Two
-- workers' batches then share no trader: neither the requisites' counter rows (0078_p, 0080_e part 1)
-- nor the trader's balance rows, where batches of the same traders queued on each other from their
-- status update to their commit; and a batch meets the creates of one trader only, not of all.
-- Nullable, no default: adding it rewrites nothing. Jobs written before it have no group and are
-- claimed as one group that excludes no other (as before).
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS group_key text;
-- The claim of one group's due jobs in due order. Built concurrently: the jobs table takes writes from
-- every payment (docs/operations.md#upgrades-without-downtime).
CREATE INDEX CONCURRENTLY IF NOT EXISTS jobs_pending_kind_group_due_idx ON jobs (kind, group_key, due_at) WHERE status = 'pending';
