// SQL for requisites and the allocation queries. The pick is only a pre-filter over committed
// state; the row lock and the unique slot index decide (see src/app/trading/allocate.ts).
import { type Insertable, type RawBuilder, sql } from "kysely";
import { runHot } from "../hot-statements.js";
import type { Db } from "../schema.js";
import type { TradingRequisitesTable } from "../tables/trading.js";


export async function insertRequisite(db: Db, row: Insertable<TradingRequisitesTable>): Promise<void> {
  await db.insertInto("trading_requisites").values(row).onConflict((oc) => oc.column("id").doNothing()).execute();
}

/**
 * The requisite already on this account (bank, method, and the number or SBP phone), if any, after
 * taking the account's advisory lock for the rest of the transaction: of two creates at once, the
 * second sees the first's row.
 */
export async function lockRequisiteAccount(db: Db, a: { bankCode: string; method: string; number: string | null; sbpPhone: string | null }) {
  await sql`SELECT pg_advisory_xact_lock(hashtext('requisite_account'), hashtext(${`${a.bankCode}:${a.method}:${a.number ?? a.sbpPhone}`}))`.execute(db);
  return db
    .selectFrom("trading_requisites")
    .select(["id", "trader_id"])
    .where("bank_code", "=", a.bankCode)
    .where("method", "=", a.method)
    .where((eb) => eb.or([...(a.number !== null ? [eb("number", "=", a.number)] : []), ...(a.sbpPhone !== null ? [eb("sbp_phone", "=", a.sbpPhone)] : [])]))
    .executeTakeFirst();
}

export async function findRequisite(db: Db, id: string) {
  return db.selectFrom("trading_requisites").selectAll().where("id", "=", id).executeTakeFirst();
}

/** The requisites of a page of pay-ins, in one query. */
export async function findRequisites(db: Db, ids: readonly string[]) {
  if (ids.length === 0) return [];
  return db.selectFrom("trading_requisites").selectAll().where("id", "in", [...new Set(ids)]).execute();
}

/** What a create asks of a requisite: its currency, method and bank, and the kind of trader. */
export interface RequisiteMatch {
  fiatCurrency: string;
  method: string | null;
  bank: string | null;
  allowedMethods: string[] | null;
  allowedBanks: string[] | null;
  /** True for a test twin's pay-in: only test traders' requisites; false: only live traders'. */
  testTraders: boolean;
}

interface CandidateFilter extends RequisiteMatch {
  /** The amounts asked for: one exact amount, or a grid [first, last] by step. */
  slots: { first: bigint; last: bigint; step: bigint; count: bigint };
  /** The traders' deposit accounts (owner = ownerPrefix || trader id) and the least free deposit a hold needs. */
  deposit: { ownerPrefix: string; asset: string; purpose: string; atLeastMinor: bigint };
  limit: number;
  /** What the locked requisite's usage is read for (see requisiteUsage). */
  usage: UsageWindow;
}

/** Amounts lo..hi (minor units, both included) whose taken slots are wanted. */
interface AmountRange {
  lo: bigint;
  hi: bigint;
}

/** The UTC day and month the volumes count. */
interface VolumePeriod {
  dayStart: Date;
  monthStart: Date;
}

/** The amounts [lo, hi] whose taken slots are wanted, and the UTC day and month the volumes count. */
type UsageWindow = AmountRange & VolumePeriod;

export interface RequisiteUsage {
  open: number;
  dayVolume: bigint;
  monthVolume: bigint;
  taken: Set<bigint>;
}

export type LockedRequisite = Pick<TradingRequisitesTable, "id" | "trader_id" | "bank_code" | "method" | "owner_name" | "fiat_currency"> & {
  max_open_payins: number;
  number: string | null;
  sbp_phone: string | null;
  daily_volume_limit_minor: string | null;
  monthly_volume_limit_minor: string | null;
};

const LOCKED_COLUMN_NAMES = [
  "id",
  "trader_id",
  "bank_code",
  "method",
  "owner_name",
  "number",
  "sbp_phone",
  "fiat_currency",
  "max_open_payins",
  "daily_volume_limit_minor",
  "monthly_volume_limit_minor",
] as const satisfies readonly (keyof LockedRequisite)[];
/** The columns of a LockedRequisite, of trading_requisites or (with `alias`) of the row it names; constant names only. */
function lockedColumns(alias?: string) {
  return sql.raw(LOCKED_COLUMN_NAMES.map((c) => (alias ? `${alias}.${c}` : c)).join(", "));
}
const LOCKED_COLUMNS = lockedColumns();

/**
 * The FROM and WHERE of a requisite candidate `r` with its trader `t`: enabled, matching `match` (one
 * currency, a scalar, so the planner walks the least-recently-used index of 0033_a, pick_unheld_idx,
 * and stops at the caller's limit; with `fiat_currency = ANY(array)` it sorted every requisite, 75 ms
 * instead of 1 ms at 10,000), of an enabled bank, method and trader of the kind asked, neither
 * risk-held, whose trader's free deposit covers `deposit.atLeastMinor`. Shared by the single and the
 * batch pick.
 */
function candidateSource(match: RequisiteMatch, deposit: CandidateFilter["deposit"]) {
  const methodCond = match.method
    ? sql`r.method = ${match.method}`
    : match.allowedMethods
      ? sql`r.method = ANY(${match.allowedMethods}::text[])`
      : sql`true`;
  const bankCond = match.bank
    ? sql`r.bank_code = ${match.bank}`
    : match.allowedBanks
      ? sql`r.bank_code = ANY(${match.allowedBanks}::text[])`
      : sql`true`;
  return sql`FROM trading_requisites r
      JOIN trading_banks b ON b.code = r.bank_code AND b.enabled
      JOIN traders t ON t.id = r.trader_id AND t.enabled AND t.risk_held_at IS NULL AND t.test = ${match.testTraders}
      JOIN trading_methods m ON m.code = r.method AND m.enabled
      -- A trader whose free deposit (as committed now; the hold decides under its lock) cannot cover the
      -- smallest amount asked is no candidate. Tried anyway, its refused hold would roll its requisites'
      -- turn back, so they would stay least recently used and come first in every create, filling the
      -- candidate list while funded traders wait.
      JOIN ledger_accounts da ON da.owner = ${deposit.ownerPrefix} || r.trader_id AND da.asset = ${deposit.asset} AND da.purpose = ${deposit.purpose}
      JOIN ledger_account_balances dab ON dab.account_id = da.id AND dab.posted - dab.pending_debits >= ${deposit.atLeastMinor.toString()}::int8
      -- risk_held_at IS NULL: a requisite its dispute rate took out of allocation (0033_a's index).
      WHERE r.enabled AND r.risk_held_at IS NULL
        AND r.fiat_currency = ${match.fiatCurrency} AND ${methodCond} AND ${bankCond}`;
}

/**
 * The usage columns (open, taken, day_volume, month_volume) of the requisite `id` names: its open
 * pay-ins from the counter of migration 0078_p; its active amounts inside any of `ranges` through the
 * open-slot index within their span (bounded by the ranges, not by the requisite's open pay-ins; a
 * batch's several ranges are then matched as one multirange, a binary search per amount: an unnest of
 * the ranges joined to each amount cost 0.13 ms per requisite at 24 ranges); its day and month volume
 * (canceled pay-ins excluded, from volumesOf) from the per-day counters of 0050_r, at most 62 rows (two
 * parts a day, 0080_e).
 */
function usageColumns(id: RawBuilder<unknown>, ranges: readonly AmountRange[]) {
  const lo = ranges.reduce((m, r) => (r.lo < m ? r.lo : m), ranges[0]!.lo);
  const hi = ranges.reduce((m, r) => (r.hi > m ? r.hi : m), ranges[0]!.hi);
  // One range is its span: nothing more to match.
  const inAnyRange =
    ranges.length === 1
      ? sql``
      : sql` AND p.fiat_amount_minor <@ ${`{${ranges.map((r) => `[${r.lo},${r.hi}]`).join(",")}}`}::int8multirange`;
  return sql`(SELECT coalesce(sum(o.open), 0) FROM trading_requisite_open_payins o WHERE o.requisite_id = ${id}) AS open,
    ARRAY(SELECT p.fiat_amount_minor::text FROM trading_payins p
          WHERE p.requisite_id = ${id} AND p.status = 'active'
            AND p.fiat_amount_minor BETWEEN ${lo.toString()}::int8 AND ${hi.toString()}::int8${inAnyRange}) AS taken,
    v.day_volume, v.month_volume`;
}
function volumesOf(id: RawBuilder<unknown>, w: VolumePeriod) {
  return sql`LATERAL (SELECT coalesce(sum(dv.volume_minor) FILTER (WHERE dv.day >= (${w.dayStart}::timestamptz AT TIME ZONE 'UTC')::date), 0) AS day_volume,
                     coalesce(sum(dv.volume_minor), 0) AS month_volume
              FROM trading_requisite_day_volumes dv
              WHERE dv.requisite_id = ${id} AND dv.day >= (${w.monthStart}::timestamptz AT TIME ZONE 'UTC')::date) v`;
}

type UsageRow = { open: string | number; taken: string[]; day_volume: string; month_volume: string };
function toUsage(row: UsageRow): RequisiteUsage {
  return {
    open: Number(row.open),
    dayVolume: BigInt(row.day_volume),
    monthVolume: BigInt(row.month_volume),
    taken: new Set(row.taken.map((a) => BigInt(a))),
  };
}

/**
 * In one statement: the candidates, i.e. enabled requisites that match and still have a free slot and
 * an open-pay-in allowance (as committed now), least recently used first; the first try's lock, i.e.
 * the least recently used candidate nobody holds (SKIP LOCKED), as lockRequisite would take it; and
 * that requisite's usage, as requisiteUsage would read it once the lock is held.
 *
 * The usage is read in the statement's snapshot, taken before the lock. It is answered only when the
 * locked row is the version that snapshot saw (same xmin): every create writes its requisite's turn
 * in its transaction, so no create on it committed in between and the snapshot's usage is what a read
 * under the lock would see. Otherwise `usage` is undefined and the caller reads it under the lock.
 */
export async function pickAndLockRequisite(
  db: Db,
  f: CandidateFilter,
): Promise<{ candidates: { id: string; trader_id: string }[]; locked: LockedRequisite | undefined; usage: RequisiteUsage | undefined }> {
  const { first, last, step, count } = f.slots;
  type Row = { cand_id: string; cand_trader_id: string; fresh: boolean | null } & { [K in keyof LockedRequisite]: LockedRequisite[K] | null } & {
    [K in keyof UsageRow]: UsageRow[K] | null;
  };
  const r = await runHot(db, sql<Row>`
    WITH cand AS MATERIALIZED (
      SELECT r.id, r.trader_id, r.last_assigned_at, r.xmin AS seen_xmin
      ${candidateSource(f, f.deposit)}
        -- Below its open-pay-in maximum, by the counter of migration 0078_p. Fewer open pay-ins than
        -- amounts asked: one of them is surely free, nothing to count; only a requisite with as many
        -- open pay-ins as the range has amounts has its taken ones counted. One subquery per requisite,
        -- not a join: as a join the planner hashed the counter over every requisite and sorted them all
        -- (26 ms instead of 0.9 ms at 10,000 requisites, where this form walks the least-recently-used
        -- index and stops at the limit; at 200, 1,600 buffer hits instead of ~480).
        AND (SELECT CASE WHEN o.open >= r.max_open_payins THEN false
                         WHEN o.open < ${count.toString()}::int8 THEN true
                         ELSE (SELECT count(*) FROM trading_payins p
                               WHERE p.requisite_id = r.id AND p.status = 'active'
                                 AND p.fiat_amount_minor BETWEEN ${first.toString()}::int8 AND ${last.toString()}::int8
                                 AND (p.fiat_amount_minor - ${first.toString()}::int8) % ${step.toString()}::int8 = 0) < ${count.toString()}::int8 END
             FROM (SELECT coalesce(sum(c.open), 0) AS open FROM trading_requisite_open_payins c WHERE c.requisite_id = r.id) o)
      ORDER BY r.last_assigned_at ASC NULLS FIRST, r.id
      LIMIT ${f.limit}
    ), locked AS MATERIALIZED (
      SELECT ${LOCKED_COLUMNS}, xmin AS locked_xmin
      FROM trading_requisites
      WHERE id = ANY(ARRAY(SELECT id FROM cand)) AND enabled AND risk_held_at IS NULL
      ORDER BY last_assigned_at ASC NULLS FIRST, id
      LIMIT 1
      FOR UPDATE SKIP LOCKED
    ), used AS MATERIALIZED (
      SELECT l.id AS used_id, ${usageColumns(sql`l.id`, [f.usage])}
      FROM locked l, ${volumesOf(sql`l.id`, f.usage)}
    )
    SELECT c.id AS cand_id, c.trader_id AS cand_trader_id, ${lockedColumns("l")},
           l.locked_xmin = c.seen_xmin AS fresh, u.open, u.taken, u.day_volume, u.month_volume
    FROM cand c LEFT JOIN locked l ON l.id = c.id LEFT JOIN used u ON u.used_id = c.id
    ORDER BY c.last_assigned_at ASC NULLS FIRST, c.id`);
  const lockedRow = r.rows.find((row) => row.id !== null);
  return {
    candidates: r.rows.map((row) => ({ id: row.cand_id, trader_id: row.cand_trader_id })),
    locked: lockedRow
      ? {
          id: lockedRow.id!,
          trader_id: lockedRow.trader_id!,
          bank_code: lockedRow.bank_code!,
          method: lockedRow.method!,
          owner_name: lockedRow.owner_name!,
          number: lockedRow.number,
          sbp_phone: lockedRow.sbp_phone,
          fiat_currency: lockedRow.fiat_currency!,
          max_open_payins: lockedRow.max_open_payins!,
          daily_volume_limit_minor: lockedRow.daily_volume_limit_minor,
          monthly_volume_limit_minor: lockedRow.monthly_volume_limit_minor,
        }
      : undefined,
    usage: lockedRow?.fresh ? toUsage(lockedRow as UsageRow) : undefined,
  };
}

interface BatchCandidateFilter {
  /** What every member of this pick asks of a requisite (the caller groups its members by it). */
  match: RequisiteMatch;
  /** The traders' deposit accounts and the least free deposit any member's hold needs. */
  deposit: { ownerPrefix: string; asset: string; purpose: string; atLeastMinor: bigint };
  /** Candidates looked at, and requisites locked at most. */
  limit: number;
  lockLimit: number;
  /** Requisites this transaction locked already (earlier picks of its batch): they may come again, past `lockLimit`. */
  held: string[];
  /** The members' amount windows: the taken amounts read are those inside any of them. */
  ranges: AmountRange[];
  dayStart: Date;
  monthStart: Date;
}

/** A requisite a batch locked, with its usage and its trader's free deposit as the pick read it (not locked). */
export type BatchLockedRequisite = LockedRequisite & { usage: RequisiteUsage; depositFree: bigint };

/**
 * The batch form of pickAndLockRequisite (app/trading/create-batch.ts), in one statement: enabled
 * requisites that match what the members ask, below their open-pay-in maximum (by the counter of
 * 0078_p) whose trader's free deposit covers the smallest hold asked, least recently used
 * first; of those, up to `lockLimit` that nobody holds are locked (SKIP LOCKED: a batch never waits for
 * a requisite, so it cannot deadlock on them), in least-recently-used order, with their usage and
 * their trader's free deposit as committed at the statement's start (the holds' statement decides). Rows
 * this transaction locked already (`held`: an earlier pick of the same batch) are not skipped: those
 * among the candidates come again, on top of `lockLimit`.
 *
 * As in pickAndLockRequisite, a requisite's usage is read in the statement's snapshot and stands only
 * when its locked row is the version that snapshot saw (same xmin: no create committed on it since);
 * the others' usage is read again here under the lock, in one more statement.
 */
export async function pickAndLockRequisites(db: Db, f: BatchCandidateFilter): Promise<BatchLockedRequisite[]> {
  type Row = LockedRequisite & UsageRow & { fresh: boolean; deposit_free: string };
  const r = await runHot(db, sql<Row>`
    WITH cand AS MATERIALIZED (
      SELECT r.id, r.last_assigned_at, r.xmin AS seen_xmin, dab.posted - dab.pending_debits AS deposit_free
      ${candidateSource(f.match, f.deposit)}
        AND (SELECT coalesce(sum(c.open), 0) FROM trading_requisite_open_payins c WHERE c.requisite_id = r.id) < r.max_open_payins
      ORDER BY r.last_assigned_at ASC NULLS FIRST, r.id
      LIMIT ${f.limit}
    ), locked AS MATERIALIZED (
      SELECT ${LOCKED_COLUMNS}, last_assigned_at, xmin AS locked_xmin
      FROM trading_requisites
      -- By primary key, the candidates' ids as an array: as IN (SELECT ...) the planner joined every
      -- unheld requisite against the candidate list (8,000 comparisons, 1.4 ms of a 2 ms pick at 200).
      WHERE id = ANY(ARRAY(SELECT id FROM cand)) AND enabled AND risk_held_at IS NULL
      ORDER BY last_assigned_at ASC NULLS FIRST, id
      -- SKIP LOCKED does not skip rows this transaction holds: those of them among the candidates come
      -- again, on top of the rows locked for this pick's own members.
      LIMIT ${f.lockLimit} + (SELECT count(*) FROM cand WHERE id = ANY(${f.held}::uuid[]))
      FOR UPDATE SKIP LOCKED
    )
    SELECT ${lockedColumns("l")}, c.deposit_free,
           l.locked_xmin = c.seen_xmin AS fresh, ${usageColumns(sql`l.id`, f.ranges)}
    FROM locked l JOIN cand c ON c.id = l.id, ${volumesOf(sql`l.id`, f)}
    ORDER BY l.last_assigned_at ASC NULLS FIRST, l.id`);
  const stale = r.rows.filter((row) => !row.fresh).map((row) => row.id);
  const reread = new Map<string, UsageRow>();
  if (stale.length > 0) {
    const u = await runHot(db, sql<UsageRow & { id: string }>`
      SELECT l.id, ${usageColumns(sql`l.id`, f.ranges)}
      FROM unnest(${stale}::uuid[]) AS l(id), ${volumesOf(sql`l.id`, f)}`);
    for (const row of u.rows) reread.set(row.id, row);
  }
  return r.rows.map(({ fresh, open, taken, day_volume, month_volume, deposit_free, ...req }) => ({
    ...req,
    depositFree: BigInt(deposit_free),
    usage: toUsage(fresh ? { open, taken, day_volume, month_volume } : reread.get(req.id)!),
  }));
}

/**
 * Locks one of `ids` for this transaction: the least recently used one nobody holds (skipLocked),
 * or waits for exactly `ids[0]`. Creators on one requisite serialize here, so the usage checks that
 * follow see every committed pay-in.
 */
export async function lockRequisite(db: Db, ids: string[], skipLocked: boolean): Promise<LockedRequisite | undefined> {
  const r = await sql<LockedRequisite>`
    SELECT ${LOCKED_COLUMNS}
    FROM trading_requisites
    WHERE id = ANY(${ids}::uuid[]) AND enabled AND risk_held_at IS NULL
    ORDER BY last_assigned_at ASC NULLS FIRST, id
    LIMIT 1
    FOR UPDATE ${skipLocked ? sql`SKIP LOCKED` : sql``}`.execute(db);
  return r.rows[0];
}

/** One requisite's usage (see usageColumns), read under its lock so it sees every committed pay-in. */
export async function requisiteUsage(db: Db, requisiteId: string, w: UsageWindow): Promise<RequisiteUsage> {
  const id = sql`${requisiteId}::uuid`;
  const r = await runHot(db, sql<UsageRow>`SELECT ${usageColumns(id, [w])} FROM ${volumesOf(id, w)}`);
  return toUsage(r.rows[0]!);
}

export interface RequisiteWithUsage {
  id: string;
  trader_id: string;
  bank_code: string;
  method: string;
  owner_name: string;
  number: string | null;
  sbp_phone: string | null;
  fiat_currency: string;
  enabled: boolean;
  max_open_payins: number;
  daily_volume_limit_minor: string | null;
  monthly_volume_limit_minor: string | null;
  open_payins: string;
}

/** Requisites (of the given traders) with their count of active pay-ins. */
export async function listRequisitesWithUsage(db: Db, traderIds: string[]): Promise<RequisiteWithUsage[]> {
  if (traderIds.length === 0) return [];
  const r = await sql<RequisiteWithUsage>`
    SELECT r.id, r.trader_id, r.bank_code, r.method, r.owner_name, r.number, r.sbp_phone, r.fiat_currency, r.enabled,
           r.max_open_payins, r.daily_volume_limit_minor, r.monthly_volume_limit_minor,
           (SELECT count(*) FROM trading_payins p WHERE p.requisite_id = r.id AND p.status = 'active')::text AS open_payins
    FROM trading_requisites r
    WHERE r.trader_id = ANY(${traderIds}::text[])
    ORDER BY r.trader_id, r.created_at, r.id`.execute(db);
  return r.rows;
}

/** Switches a requisite on or off (only the given trader's, when traderId is set); false when not found. */
export async function setRequisiteEnabled(db: Db, a: { id: string; enabled: boolean; traderId?: string }): Promise<boolean> {
  let q = db.updateTable("trading_requisites").set({ enabled: a.enabled }).where("id", "=", a.id);
  if (a.traderId) q = q.where("trader_id", "=", a.traderId);
  const r = await q.executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** Sets a requisite's limits (only the given trader's); false when not found. */
export async function updateRequisiteLimits(
  db: Db,
  a: { id: string; traderId: string; maxOpenPayins: number; dailyVolumeLimitMinor: bigint | null; monthlyVolumeLimitMinor: bigint | null },
): Promise<boolean> {
  const r = await db
    .updateTable("trading_requisites")
    .set({
      max_open_payins: a.maxOpenPayins,
      daily_volume_limit_minor: a.dailyVolumeLimitMinor?.toString() ?? null,
      monthly_volume_limit_minor: a.monthlyVolumeLimitMinor?.toString() ?? null,
    })
    .where("id", "=", a.id)
    .where("trader_id", "=", a.traderId)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}
