// The figures /metrics derives from the database, read by one statement per scrape (cached by the
// caller). Every part reads a small partial index or a small table, and every count over a queue that
// can grow without bound stops at `cap`, so a scrape costs the same whatever the backlog. It runs as a
// named prepared statement (runHot): planning its sixteen parts cost more than running them, so an unnamed run
// took 6-10 ms and a prepared one well under 1 ms (docs/benchmarks.md, "Metrics overhead"). The operator's
// levels leave test mode out (issue 19): no test trader, no test twin's dispute or store's KYC case.
import { sql } from "kysely";
import { runHot } from "../hot-statements.js";
import type { Db } from "../schema.js";

export interface OpsSnapshotRow {
  jobs_due: { kind: string; n: number }[];
  jobs_oldest_due: string | null;
  jobs_dead: { kind: string; n: number }[];
  webhooks_due: string;
  webhooks_oldest_due: string | null;
  endpoints_disabled: string;
  payouts_open: { status: string; n: number }[];
  payouts_oldest_open: string | null;
  traders_low_deposit: string;
  requisites: { bank: string; currency: string; n: number }[];
  kyc_review: string;
  kyc_oldest_review: string | null;
  unmatched_transfers: string;
  disputes_open: string;
  disputes_overdue: string;
  ledger_verify: { ok: boolean; at: string } | null;
}

interface SnapshotInput {
  now: Date;
  cap: number;
  /** The trader deposit's ledger account (app/trading/ledger-postings.ts TRADER_DEPOSIT_ACCOUNT). */
  deposit: { ownerPrefix: string; asset: string; purpose: string };
  lowDepositMinor: bigint;
}

const liveKyc = sql`JOIN kyc_users u ON u.id = c.user_id JOIN stores st ON st.id = u.store_id AND st.test_of IS NULL`;
const livePayin = sql`JOIN merchants m ON m.id = p.merchant_id AND m.test_of IS NULL`;

/** Timestamps come back as ISO text from json and as text here, so both engines read alike. */
export async function readOpsSnapshot(db: Db, a: SnapshotInput): Promise<OpsSnapshotRow> {
  const now = a.now.toISOString();
  const query = sql<OpsSnapshotRow>`
    SELECT
      (SELECT coalesce(json_agg(json_build_object('kind', kind, 'n', n)), '[]'::json) FROM (
         SELECT kind, count(*) AS n FROM (
           SELECT kind FROM jobs WHERE status = 'pending' AND due_at <= ${now}::timestamptz
           UNION ALL
           SELECT kind FROM jobs WHERE status = 'running' AND lease_until < ${now}::timestamptz
           LIMIT ${a.cap}) d GROUP BY kind) x) AS jobs_due,
      (SELECT min(due_at)::text FROM jobs WHERE status = 'pending' AND due_at <= ${now}::timestamptz) AS jobs_oldest_due,
      (SELECT coalesce(json_agg(json_build_object('kind', kind, 'n', n)), '[]'::json) FROM (
         SELECT kind, count(*) AS n FROM (SELECT kind FROM jobs WHERE status = 'failed' LIMIT ${a.cap}) d GROUP BY kind) x) AS jobs_dead,
      (SELECT count(*) FROM (SELECT 1 FROM webhook_messages WHERE status = 'pending' AND next_attempt_at <= ${now}::timestamptz LIMIT ${a.cap}) d) AS webhooks_due,
      (SELECT min(next_attempt_at)::text FROM webhook_messages WHERE status = 'pending' AND next_attempt_at <= ${now}::timestamptz) AS webhooks_oldest_due,
      (SELECT count(*) FROM webhook_endpoints WHERE disabled_at IS NOT NULL) AS endpoints_disabled,
      (SELECT coalesce(json_agg(json_build_object('status', status, 'n', n)), '[]'::json) FROM (
         SELECT status, count(*) AS n FROM intent_payouts WHERE status IN ('created', 'sent', 'awaiting_operator') GROUP BY status) x) AS payouts_open,
      (SELECT min(created_at)::text FROM intent_payouts WHERE status IN ('created', 'sent', 'awaiting_operator')) AS payouts_oldest_open,
      (SELECT count(*) FROM traders t
         LEFT JOIN ledger_accounts la ON la.owner = ${a.deposit.ownerPrefix} || t.id AND la.asset = ${a.deposit.asset} AND la.purpose = ${a.deposit.purpose}
         LEFT JOIN ledger_account_balances lb ON lb.account_id = la.id
         WHERE t.enabled AND NOT t.test AND coalesce(lb.posted - lb.pending_debits, 0) < ${a.lowDepositMinor.toString()}::int8) AS traders_low_deposit,
      (SELECT coalesce(json_agg(json_build_object('bank', bank, 'currency', currency, 'n', n)), '[]'::json) FROM (
         SELECT b.code AS bank, b.fiat_currency AS currency, count(t.id) AS n
         FROM trading_banks b
         LEFT JOIN trading_requisites r ON r.bank_code = b.code AND r.fiat_currency = b.fiat_currency AND r.enabled
           AND EXISTS (SELECT 1 FROM trading_methods m WHERE m.code = r.method AND m.enabled)
         LEFT JOIN traders t ON t.id = r.trader_id AND t.enabled AND NOT t.test
         WHERE b.enabled GROUP BY b.code, b.fiat_currency) x) AS requisites,
      (SELECT count(*) FROM kyc_cases c ${liveKyc} WHERE c.status = 'review') AS kyc_review,
      (SELECT min(c.created_at)::text FROM kyc_cases c ${liveKyc} WHERE c.status = 'review') AS kyc_oldest_review,
      (SELECT count(*) FROM (SELECT 1 FROM bank_transfers WHERE outcome = 'unmatched' LIMIT ${a.cap}) d) AS unmatched_transfers,
      (SELECT count(*) FROM trading_payins p ${livePayin} WHERE p.status IN ('dispute', 'checking')) AS disputes_open,
      (SELECT count(*) FROM trading_payins p ${livePayin} JOIN trading_merchant_settings s ON s.merchant_id = p.merchant_id
         WHERE p.status = 'dispute'
           AND p.dispute_opened_at + s.dispute_auto_resolve_minutes * interval '1 minute' < ${now}::timestamptz) AS disputes_overdue,
      (SELECT json_build_object('ok', ok, 'at', at) FROM ops_checks WHERE name = 'ledger_verify') AS ledger_verify`;
  return (await runHot(db, query)).rows[0]!;
}

/** Records the outcome of an operator check (one row per check, the latest wins). */
export async function recordOpsCheck(db: Db, c: { name: string; ok: boolean; summary: string; at: Date }): Promise<void> {
  await db
    .insertInto("ops_checks")
    .values(c)
    .onConflict((oc) => oc.column("name").doUpdateSet({ ok: c.ok, summary: c.summary, at: c.at }))
    .execute();
}
