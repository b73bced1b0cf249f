// SQL for the ledger tables. The use cases in src/app/ledger decide; these only read and write.
import { type CompiledQuery, type QueryResult, type RawBuilder, sql, type Transaction } from "kysely";
import type { AccountPurpose, AccountRef } from "../../core/ledger/accounts.js";
import type { Balance, BalanceDelta } from "../../core/ledger/balances.js";
import type { HoldState } from "../../core/ledger/holds.js";
import type { EntryInput } from "../../core/ledger/transfer.js";
import { hot, runHot } from "../hot-statements.js";
import { runPipelined } from "../pipelined.js";
import type { Db, DB } from "../schema.js";

export interface StoredTransfer {
  id: string;
  code: string;
  refType: string;
  refId: string;
  pending: boolean;
  expiresAt: Date | null;
  reversalOf: string | null;
  /** "posted" for a plain transfer; a hold's resolution, or "pending" while it has none. */
  state: HoldState;
}

/** Reads one transfer; `lock` takes a row lock so resolutions of one hold run one at a time. */
export async function findTransfer(db: Db, id: string, lock = false): Promise<StoredTransfer | null> {
  return (await readTransfers(db, [id], lock))[0] ?? null;
}

/**
 * Reads transfers by id, in id order; `lock` takes their row locks in that order, so batches of hold
 * resolutions (a set-based expiry, issue 16) never wait on each other in a cycle.
 */
export async function readTransfers(db: Db, ids: readonly string[], lock = false): Promise<StoredTransfer[]> {
  if (ids.length === 0) return [];
  let q = db.selectFrom("ledger_transfers").selectAll().where("id", "in", [...ids]).orderBy("id");
  if (lock) q = q.forUpdate();
  const rows = await q.execute();
  // Read after the lock, in a statement of its own: a resolution committed while this one waited is
  // seen (a join in the locking statement would read it from the snapshot taken before the wait).
  const pendingIds = rows.filter((t) => t.pending).map((t) => t.id);
  const resolutions = pendingIds.length
    ? await db.selectFrom("ledger_transfer_resolutions").select(["transfer_id", "kind"]).where("transfer_id", "in", pendingIds).execute()
    : [];
  const resolved = new Map(resolutions.map((r) => [r.transfer_id, r.kind]));
  return rows.map((t) => ({
    id: t.id,
    code: t.code,
    refType: t.ref_type,
    refId: t.ref_id,
    pending: t.pending,
    expiresAt: t.expires_at,
    reversalOf: t.reversal_of,
    state: t.pending ? (resolved.get(t.id) ?? "pending") : "posted",
  }));
}

interface StoredEntry extends EntryInput {
  accountId: string;
}

export async function transferEntries(db: Db, transferId: string): Promise<StoredEntry[]> {
  return (await entriesOfTransfers(db, [transferId])).get(transferId) ?? [];
}

/** The entries of several transfers in one read, each transfer's in entry order. */
export async function entriesOfTransfers(db: Db, transferIds: readonly string[]): Promise<Map<string, StoredEntry[]>> {
  const byTransfer = new Map<string, StoredEntry[]>();
  if (transferIds.length === 0) return byTransfer;
  const rows = await db
    .selectFrom("ledger_entries as e")
    .innerJoin("ledger_accounts as a", "a.id", "e.account_id")
    .select(["e.transfer_id", "e.account_id", "e.amount", "a.owner", "a.asset", "a.purpose"])
    .where("e.transfer_id", "in", [...transferIds])
    .orderBy("e.id")
    .execute();
  for (const r of rows) {
    const list = byTransfer.get(r.transfer_id) ?? [];
    list.push({ accountId: r.account_id, amountMinor: BigInt(r.amount), account: { owner: r.owner, asset: r.asset, purpose: r.purpose as AccountPurpose } });
    byTransfer.set(r.transfer_id, list);
  }
  return byTransfer;
}

const refKey = (r: { owner: string; asset: string; purpose: string }) => `${r.owner}\u0000${r.asset}\u0000${r.purpose}`;

/**
 * The ids of the accounts, in input order; those that do not exist yet are created with their zero
 * balance row. One read for the common case where every account exists already.
 */
export async function ensureAccounts(
  trx: Transaction<DB>,
  accounts: readonly { ref: AccountRef; noNegative: boolean }[],
): Promise<string[]> {
  const found = await trx
    .selectFrom("ledger_accounts")
    .select(["id", "owner", "asset", "purpose"])
    .where((eb) => eb.or(accounts.map(({ ref }) => eb.and({ owner: ref.owner, asset: ref.asset, purpose: ref.purpose }))))
    .execute();
  const ids = new Map(found.map((r) => [refKey(r), r.id]));
  for (const { ref, noNegative } of accounts) {
    if (ids.has(refKey(ref))) continue;
    const created = await trx
      .insertInto("ledger_accounts")
      .values({ owner: ref.owner, asset: ref.asset, purpose: ref.purpose, no_negative: noNegative })
      .onConflict((oc) => oc.columns(["owner", "asset", "purpose"]).doNothing())
      .returning("id")
      .executeTakeFirst();
    if (created) {
      await trx.insertInto("ledger_account_balances").values({ account_id: created.id }).execute();
      ids.set(refKey(ref), created.id);
    } else {
      // A concurrent transaction created it (and committed: ON CONFLICT waited for it).
      const row = await trx
        .selectFrom("ledger_accounts")
        .select("id")
        .where((eb) => eb.and({ owner: ref.owner, asset: ref.asset, purpose: ref.purpose }))
        .executeTakeFirstOrThrow();
      ids.set(refKey(ref), row.id);
    }
  }
  return accounts.map(({ ref }) => ids.get(refKey(ref))!);
}

interface LockedBalance extends Balance {
  accountId: string;
  noNegative: boolean;
}

/** Locks the balance rows in id order (one global order, so concurrent transfers cannot deadlock). */
export async function lockBalances(trx: Transaction<DB>, accountIds: readonly string[]): Promise<Map<string, LockedBalance>> {
  const sorted = [...new Set(accountIds)].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  const rows = await trx
    .selectFrom("ledger_account_balances as b")
    .innerJoin("ledger_accounts as a", "a.id", "b.account_id")
    .select(["b.account_id", "b.posted", "b.pending_debits", "b.pending_credits", "a.no_negative"])
    .where("b.account_id", "in", sorted)
    .orderBy("b.account_id")
    .forUpdate("b")
    .execute();
  return new Map(
    rows.map((r) => [
      r.account_id,
      {
        accountId: r.account_id,
        noNegative: r.no_negative,
        posted: BigInt(r.posted),
        pendingDebits: BigInt(r.pending_debits),
        pendingCredits: BigInt(r.pending_credits),
      },
    ]),
  );
}

/** Moves several balance rows in one statement (the rows must already be locked by lockBalances). */
export async function addToBalances(trx: Transaction<DB>, moves: readonly { accountId: string; delta: BalanceDelta }[]): Promise<void> {
  if (moves.length === 0) return;
  const rows = moves.map(
    (m) => sql`(${m.accountId}::bigint, ${m.delta.posted.toString()}::bigint, ${m.delta.pendingDebits.toString()}::bigint, ${m.delta.pendingCredits.toString()}::bigint)`,
  );
  await sql`
    UPDATE ledger_account_balances AS b
    SET posted = b.posted + v.posted, pending_debits = b.pending_debits + v.debits, pending_credits = b.pending_credits + v.credits
    FROM (VALUES ${sql.join(rows)}) AS v(account_id, posted, debits, credits)
    WHERE b.account_id = v.account_id`.execute(trx);
}

type NewTransfer = Omit<StoredTransfer, "state"> & { at: Date };

interface TransferLeg {
  account: AccountRef;
  amount: bigint;
  delta: BalanceDelta;
}

type NewTransfers = readonly { transfer: NewTransfer; legs: readonly TransferLeg[] }[];

/**
 * The common case of new transfers, written whole in ONE statement: when none of their ids exists and
 * every account does, it locks the balance rows they move (account id order, like lockBalances), and
 * writes the transfers, their entries (each transfer's in input order) and the balance moves, each row
 * moved once by the sum of its moves, only if no no-negative account a transfer debits would end below
 * zero (posted − pending debits, after all of them). The locked rows are the newest versions (FOR
 * UPDATE waits for a concurrent writer and reads what it committed), and the moves apply to those.
 * "written"; "refused" with the locked balances: an account is short (nothing written), or a concurrent
 * transaction booked one of the ids first (no entries or balance moves written, but the other ids'
 * transfer rows may be: a caller of several must abort); or "general" (an account is missing or an id
 * exists): the caller takes the general path. postTransfer's one statement (writeTransfersOrRaise's
 * for a batch).
 */
export async function writeTransfersIfCovered(trx: Transaction<DB>, transfers: NewTransfers): Promise<CoveredOutcome> {
  const { rows } = await runHot(trx, coveredWrite<CoveredRow>(transfers, sql`
    SELECT acc.id AS account_id, acc.owner, acc.asset, acc.purpose, acc.no_negative, bal.posted, bal.pending_debits, bal.pending_credits,
           (SELECT all_in FROM whole) AS written
    FROM acc JOIN bal ON bal.account_id = acc.id`));
  return coveredOutcome(rows, new Set(transfers.flatMap(({ legs }) => legs.map((l) => refKey(l.account)))).size);
}

/** SQLSTATE of ledger_written_or_raise (migration 0093_l): writeTransfersOrRaise's statement wrote nothing. */
const TRANSFERS_NOT_WRITTEN = "RL001";

/** True when `err` is writeTransfersOrRaise's refusal (its transaction is aborted, or ended by a COMMIT sent behind it). */
export function transfersNotWritten(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === TRANSFERS_NOT_WRITTEN;
}

/**
 * writeTransfersIfCovered's statement, failing with TRANSFERS_NOT_WRITTEN where that one answers
 * "refused" or "general", so that nothing sent behind it in the same round trip (`after`: the
 * transaction's COMMIT) can commit a transaction whose transfers were not written; a refusal writes
 * nothing at all (the statement fails whole). `before` and `after` are the caller's statements around it,
 * in that round trip (pipelined.ts); returns the results of `before`.
 */
export async function writeTransfersOrRaise(
  trx: Transaction<DB>,
  transfers: NewTransfers,
  before: readonly CompiledQuery[],
  after: readonly CompiledQuery[],
): Promise<QueryResult<unknown>[]> {
  const statement = hot(trx, coveredWrite<{ written: true }>(transfers, sql`SELECT ledger_written_or_raise(all_in) AS written FROM whole`));
  return (await runPipelined(trx, [...before, statement, ...after])).slice(0, before.length);
}

/**
 * The CTEs of writeTransfersIfCovered's statement, then `tail`, its final SELECT over them (acc: the
 * accounts found; bal: their balance rows, locked; whole: whether every transfer was written). Fixed
 * text whatever the number of transfers (arrays, not a VALUES list), so it is prepared once per
 * connection (hot) and its plan reused. The caller holds the locked rows only for this statement and
 * its commit: a create's hold of a trader's deposit is its last write (issue 16).
 */
function coveredWrite<R>(transfers: NewTransfers, tail: RawBuilder<unknown>): RawBuilder<R> {
  const legs = transfers.flatMap(({ transfer: t, legs }, n) => legs.map((l, ord) => ({ n, ord, id: t.id, ...l })));
  const col = <T>(pick: (l: (typeof legs)[number]) => T) => legs.map(pick);
  const head = <T>(pick: (t: NewTransfer) => T) => transfers.map(({ transfer }) => pick(transfer));
  return sql<R>`
    WITH v AS MATERIALIZED (
      SELECT * FROM unnest(${col((l) => l.n)}::int[], ${col((l) => l.ord)}::int[], ${col((l) => l.id)}::text[], ${col((l) => l.account.owner)}::text[],
                           ${col((l) => l.account.asset)}::text[], ${col((l) => l.account.purpose)}::text[], ${col((l) => l.amount.toString())}::int8[],
                           ${col((l) => l.delta.posted.toString())}::int8[], ${col((l) => l.delta.pendingDebits.toString())}::int8[],
                           ${col((l) => l.delta.pendingCredits.toString())}::int8[])
        AS v(n, ord, transfer_id, owner, asset, purpose, amount, d_posted, d_debits, d_credits)
    ), h AS MATERIALIZED (
      SELECT * FROM unnest(${head((t) => t.id)}::text[], ${head((t) => t.code)}::text[], ${head((t) => t.refType)}::text[], ${head((t) => t.refId)}::text[],
                           ${head((t) => t.pending)}::bool[], ${head((t) => t.expiresAt)}::timestamptz[], ${head((t) => t.reversalOf)}::text[],
                           ${head((t) => t.at)}::timestamptz[])
        AS h(id, code, ref_type, ref_id, pending, expires_at, reversal_of, created_at)
    ), acc AS MATERIALIZED (
      SELECT a.id, a.no_negative, k.*
      FROM (SELECT owner, asset, purpose, sum(d_posted) AS d_posted, sum(d_debits) AS d_debits, sum(d_credits) AS d_credits,
                   bool_or(amount < 0) AS debited
            FROM v GROUP BY owner, asset, purpose) k
      -- Probed by its unique key, one account at a time, for the same reason as the ids below.
      CROSS JOIN LATERAL (SELECT a.id, a.no_negative FROM ledger_accounts a
                          WHERE a.owner = k.owner AND a.asset = k.asset AND a.purpose = k.purpose LIMIT 1) a
    ), bal AS MATERIALIZED (
      SELECT b.account_id, b.posted, b.pending_debits, b.pending_credits
      FROM ledger_account_balances b
      WHERE b.account_id IN (SELECT id FROM acc)
        AND (SELECT count(*) FROM acc) = (SELECT count(DISTINCT (owner, asset, purpose)) FROM v)
        -- Each id probed by primary key (LIMIT 1 keeps the index path in any plan): as a join, or as
        -- id = ANY(array), the plan prepared while the table was small scanned all of it, every posting
        -- (0.9 ms at 3,000 transfers, 3.3 ms at 8,000).
        AND NOT EXISTS (SELECT 1 FROM h WHERE (SELECT true FROM ledger_transfers t WHERE t.id = h.id LIMIT 1))
      ORDER BY b.account_id
      FOR UPDATE OF b
    ), ok AS MATERIALIZED (
      SELECT count(*) = (SELECT count(*) FROM acc) AND count(*) > 0
             AND bool_and(NOT (acc.no_negative AND acc.debited) OR (bal.posted + acc.d_posted) - (bal.pending_debits + acc.d_debits) >= 0) AS covered
      FROM acc JOIN bal ON bal.account_id = acc.id
    ), tr AS (
      INSERT INTO ledger_transfers (id, code, ref_type, ref_id, pending, expires_at, reversal_of, created_at)
      SELECT h.* FROM h, ok WHERE ok.covered
      ON CONFLICT (id) DO NOTHING
      RETURNING id
    ), whole AS MATERIALIZED (
      -- Every transfer or none: an id a concurrent transaction booked first moves nothing here.
      SELECT (SELECT count(*) FROM tr) = (SELECT count(*) FROM h) AS all_in
    ), e AS (
      INSERT INTO ledger_entries (transfer_id, account_id, asset, amount)
      SELECT v.transfer_id, acc.id, v.asset, v.amount
      FROM v JOIN acc ON acc.owner = v.owner AND acc.asset = v.asset AND acc.purpose = v.purpose, whole
      WHERE whole.all_in
      ORDER BY v.n, v.ord
    ), u AS (
      UPDATE ledger_account_balances AS b
      SET posted = b.posted + acc.d_posted, pending_debits = b.pending_debits + acc.d_debits, pending_credits = b.pending_credits + acc.d_credits
      FROM acc, whole
      WHERE b.account_id = acc.id AND whole.all_in
    )
    ${tail}`;
}

type CoveredRow = { account_id: string; owner: string; asset: string; purpose: string; no_negative: boolean; posted: string; pending_debits: string; pending_credits: string; written: boolean };
/** What writeTransfersIfCovered found: see its comment. */
export type CoveredOutcome = { kind: "written" } | { kind: "general" } | { kind: "refused"; balances: Map<string, LockedBalance & AccountRef> };

/** What writeTransfersIfCovered's statement answered about `accounts` distinct accounts. */
function coveredOutcome(rows: readonly CoveredRow[], accounts: number): CoveredOutcome {
  if (rows.length !== accounts) return { kind: "general" };
  if (rows[0]!.written) return { kind: "written" };
  const balances = new Map(
    rows.map((row) => [
      row.account_id,
      {
        accountId: row.account_id,
        owner: row.owner,
        asset: row.asset,
        purpose: row.purpose as AccountPurpose,
        noNegative: row.no_negative,
        posted: BigInt(row.posted),
        pendingDebits: BigInt(row.pending_debits),
        pendingCredits: BigInt(row.pending_credits),
      },
    ]),
  );
  return { kind: "refused", balances };
}

export async function insertResolutions(trx: Transaction<DB>, rows: readonly { transferId: string; kind: "posted" | "voided" | "expired" }[], at: Date): Promise<void> {
  if (rows.length === 0) return;
  await trx
    .insertInto("ledger_transfer_resolutions")
    .values(rows.map((r) => ({ transfer_id: r.transferId, kind: r.kind, at })))
    .execute();
}

/** The reversal already booked against a transfer, if any. */
export async function findReversalOf(db: Db, originalId: string): Promise<string | null> {
  const r = await db.selectFrom("ledger_transfers").select("id").where("reversal_of", "=", originalId).executeTakeFirst();
  return r?.id ?? null;
}

/** Unresolved holds past their expiry, locked; rows another worker holds are skipped. */
export async function claimExpiredHolds(trx: Transaction<DB>, now: Date, limit: number): Promise<string[]> {
  const rows = await trx
    .selectFrom("ledger_transfers as t")
    .select("t.id")
    .where("t.pending", "=", true)
    .where("t.expires_at", "is not", null)
    .where("t.expires_at", "<=", now)
    .where((eb) => eb.not(eb.exists(eb.selectFrom("ledger_transfer_resolutions as r").select("r.transfer_id").whereRef("r.transfer_id", "=", "t.id"))))
    .orderBy("t.expires_at")
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
  return rows.map((r) => r.id);
}

/** An account's balance row; zeros when the account has never been used. */
export async function readBalance(db: Db, ref: AccountRef): Promise<Balance> {
  const r = await db
    .selectFrom("ledger_accounts as a")
    .innerJoin("ledger_account_balances as b", "b.account_id", "a.id")
    .select(["b.posted", "b.pending_debits", "b.pending_credits"])
    .where((eb) => eb.and({ "a.owner": ref.owner, "a.asset": ref.asset, "a.purpose": ref.purpose }))
    .executeTakeFirst();
  if (!r) return { posted: 0n, pendingDebits: 0n, pendingCredits: 0n };
  return { posted: BigInt(r.posted), pendingDebits: BigInt(r.pending_debits), pendingCredits: BigInt(r.pending_credits) };
}
