// SQL for an account's statement (a merchant's balance, issue 19): every movement of its available
// balance (posted − pending debits) read from the append-only entries, so opening + movements = closing
// by construction and closing at "now" equals the balance row. A movement is one of:
//   posted         an entry of a plain transfer, at the transfer's time
//   hold           a pending debit, at the hold's time (the money is promised away)
//   hold_released  a pending debit voided or expired, at the resolution's time (it comes back)
//   hold_posted    a pending credit posted, at the resolution's time (it becomes spendable)
// A pending credit and a posted pending debit do not move the available balance and are not listed.
import { sql } from "kysely";
import type { Db } from "../schema.js";

export interface StatementCursor {
  /** The movement's time, microseconds, UTC (to_char), as the keyset compares it. */
  at: string;
  entryId: string;
  stage: number;
}

export interface StatementLine {
  at: string;
  entry_id: string;
  stage: number;
  kind: "posted" | "hold" | "hold_released" | "hold_posted";
  transfer_id: string;
  code: string;
  ref_type: string;
  ref_id: string;
  amount: string;
}

/** Every movement of the account (owner, asset, purpose): at, entry id and stage order them. */
const movements = (a: { owner: string; asset: string; purpose: string }) => sql`
  WITH acc AS (SELECT id FROM ledger_accounts WHERE owner = ${a.owner} AND asset = ${a.asset} AND purpose = ${a.purpose}),
  e AS (
    SELECT e.id AS entry_id, e.amount, t.id AS transfer_id, t.code, t.ref_type, t.ref_id, t.pending, t.created_at
    FROM ledger_entries e JOIN ledger_transfers t ON t.id = e.transfer_id
    WHERE e.account_id IN (SELECT id FROM acc)
  )
  SELECT * FROM (
    SELECT created_at AS at_ts, entry_id, 0 AS stage, 'posted' AS kind, transfer_id, code, ref_type, ref_id, amount FROM e WHERE NOT pending
    UNION ALL
    SELECT created_at, entry_id, 1, 'hold', transfer_id, code, ref_type, ref_id, amount FROM e WHERE pending AND amount < 0
    UNION ALL
    SELECT r.at, e.entry_id, 2, CASE WHEN r.kind = 'posted' THEN 'hold_posted' ELSE 'hold_released' END, e.transfer_id, e.code, e.ref_type, e.ref_id,
      CASE WHEN r.kind = 'posted' THEN e.amount ELSE -e.amount END
    FROM e JOIN ledger_transfer_resolutions r ON r.transfer_id = e.transfer_id
    WHERE e.pending AND ((r.kind = 'posted' AND e.amount > 0) OR (r.kind <> 'posted' AND e.amount < 0))
  ) m`;

/** The sum of the movements before `before` (all of them when null): the available balance at that instant. */
export async function balanceBefore(db: Db, account: { owner: string; asset: string; purpose: string }, before: Date | null): Promise<bigint> {
  const r = await sql<{ total: string | null }>`
    SELECT sum(amount)::text AS total
    FROM (${movements(account)}) s
    WHERE ${before === null ? sql`true` : sql`at_ts < ${before}`}`.execute(db);
  return BigInt(r.rows[0]?.total ?? "0");
}

/** One page of the movements in [from, to), after the cursor, in order; the caller asks for limit + 1. */
export async function statementPage(
  db: Db,
  account: { owner: string; asset: string; purpose: string },
  q: { from: Date | null; to: Date; after: StatementCursor | null; limit: number },
): Promise<StatementLine[]> {
  const r = await sql<StatementLine>`
    SELECT to_char(at_ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at, entry_id::text, stage, kind, transfer_id, code, ref_type, ref_id,
      amount::text AS amount
    FROM (${movements(account)}) s
    WHERE at_ts < ${q.to} AND ${q.from === null ? sql`true` : sql`at_ts >= ${q.from}`}
      AND ${q.after === null ? sql`true` : sql`(at_ts, entry_id, stage) > (${q.after.at}::timestamptz, ${q.after.entryId}::bigint, ${q.after.stage})`}
    ORDER BY at_ts, entry_id, stage
    LIMIT ${q.limit}`.execute(db);
  return r.rows;
}

/** The sum of the movements in [from, cursor]: what the page before this one moved (its running balance). */
export async function movedThrough(db: Db, account: { owner: string; asset: string; purpose: string }, from: Date | null, through: StatementCursor): Promise<bigint> {
  const r = await sql<{ total: string | null }>`
    SELECT sum(amount)::text AS total
    FROM (${movements(account)}) s
    WHERE ${from === null ? sql`true` : sql`at_ts >= ${from}`}
      AND (at_ts, entry_id, stage) <= (${through.at}::timestamptz, ${through.entryId}::bigint, ${through.stage})`.execute(db);
  return BigInt(r.rows[0]?.total ?? "0");
}

/** Balances of the owner's accounts, per asset and purpose. */
export async function ownerBalances(db: Db, owner: string) {
  return db
    .selectFrom("ledger_accounts as a")
    .innerJoin("ledger_account_balances as b", "b.account_id", "a.id")
    .select(["a.asset", "a.purpose", "b.posted", "b.pending_debits", "b.pending_credits"])
    .where("a.owner", "=", owner)
    .orderBy("a.asset")
    .orderBy("a.purpose")
    .execute();
}
