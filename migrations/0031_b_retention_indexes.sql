-- rampart:no-transaction
-- Issue 21: the retention purge (src/app/ops/retention.ts) finds each data class's old rows through
-- these partial indexes, so a batch reads only rows still to purge. Built concurrently: no table is
-- locked against writes while they build (docs/operations.md#upgrades-without-downtime).
CREATE INDEX CONCURRENTLY IF NOT EXISTS kyc_cases_documents_decided_idx ON kyc_cases (decided_at) WHERE files <> '[]'::jsonb;
CREATE INDEX CONCURRENTLY IF NOT EXISTS trading_receipts_created_idx ON trading_receipts (created_at);
CREATE INDEX CONCURRENTLY IF NOT EXISTS webhook_messages_finished_updated_idx ON webhook_messages (updated_at) WHERE status <> 'pending';
CREATE INDEX CONCURRENTLY IF NOT EXISTS payment_intents_ip_kept_idx ON payment_intents (created_at) WHERE ip <> '[erased]';
CREATE INDEX CONCURRENTLY IF NOT EXISTS trading_payins_payer_ip_kept_idx ON trading_payins (created_at)
  WHERE coalesce(extra -> 'payerInfo' ->> 'ip', extra -> 'payerInfo' ->> 'userAgent', '[erased]') <> '[erased]';
