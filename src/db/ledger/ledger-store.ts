// SQL for the ledger tables. The use cases in src/app/ledger decide; these only read and write.
import { type Kysely, sql, type Transaction } from "kysely";
import type { AccountPurpose, AccountRef } from "../../core/ledger/accounts.js";
import type { Balance, BalanceDelta } from "../../core/ledger/balances.js";
import type { HoldState } from "../../core/ledger/holds.js";
import type { EntryInput } from "../../core/ledger/transfer.js";
import type { DB } from "../schema.js";

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
export async function findTransfer(db: Kysely<DB>, id: string, lock = false): Promise<StoredTransfer | null> {
  let q = db.selectFrom("ledger_transfers").selectAll().where("id", "=", id);
  if (lock) q = q.forUpdate();
  const t = await q.executeTakeFirst();
  if (!t) return null;
  const r = t.pending
    ? await db.selectFrom("ledger_transfer_resolutions").select("kind").where("transfer_id", "=", id).executeTakeFirst()
    : undefined;
  return {
    id: t.id,
    code: t.code,
    refType: t.ref_type,
    refId: t.ref_id,
    pending: t.pending,
    expiresAt: t.expires_at,
    reversalOf: t.reversal_of,
    state: t.pending ? (r?.kind ?? "pending") : "posted",
  };
}

export interface StoredEntry extends EntryInput {
  accountId: string;
}

export async function transferEntries(db: Kysely<DB>, transferId: string): Promise<StoredEntry[]> {
  const rows = await db
    .selectFrom("ledger_entries as e")
    .innerJoin("ledger_accounts as a", "a.id", "e.account_id")
    .select(["e.account_id", "e.amount", "a.owner", "a.asset", "a.purpose"])
    .where("e.transfer_id", "=", transferId)
    .orderBy("e.id")
    .execute();
  return rows.map((r) => ({
    accountId: r.account_id,
    amountMinor: BigInt(r.amount),
    account: { owner: r.owner, asset: r.asset, purpose: r.purpose as AccountPurpose },
  }));
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

export interface LockedBalance extends Balance {
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

/** Inserts the transfer row; false when the id already exists (a concurrent or earlier repeat). */
export async function insertTransfer(
  trx: Transaction<DB>,
  t: { id: string; code: string; refType: string; refId: string; pending: boolean; expiresAt: Date | null; reversalOf: string | null; at: Date },
): Promise<boolean> {
  const row = await trx
    .insertInto("ledger_transfers")
    .values({
      id: t.id,
      code: t.code,
      ref_type: t.refType,
      ref_id: t.refId,
      pending: t.pending,
      expires_at: t.expiresAt,
      reversal_of: t.reversalOf,
      created_at: t.at,
    })
    .onConflict((oc) => oc.column("id").doNothing())
    .returning("id")
    .executeTakeFirst();
  return row !== undefined;
}

export async function insertEntries(
  trx: Transaction<DB>,
  transferId: string,
  entries: readonly { accountId: string; asset: string; amount: bigint }[],
): Promise<void> {
  await trx
    .insertInto("ledger_entries")
    .values(entries.map((e) => ({ transfer_id: transferId, account_id: e.accountId, asset: e.asset, amount: e.amount.toString() })))
    .execute();
}

export async function insertResolution(trx: Transaction<DB>, transferId: string, kind: "posted" | "voided" | "expired", at: Date): Promise<void> {
  await trx.insertInto("ledger_transfer_resolutions").values({ transfer_id: transferId, kind, at }).execute();
}

/** The reversal already booked against a transfer, if any. */
export async function findReversalOf(db: Kysely<DB>, originalId: string): Promise<string | null> {
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
export async function readBalance(db: Kysely<DB>, ref: AccountRef): Promise<Balance> {
  const r = await db
    .selectFrom("ledger_accounts as a")
    .innerJoin("ledger_account_balances as b", "b.account_id", "a.id")
    .select(["b.posted", "b.pending_debits", "b.pending_credits"])
    .where((eb) => eb.and({ "a.owner": ref.owner, "a.asset": ref.asset, "a.purpose": ref.purpose }))
    .executeTakeFirst();
  if (!r) return { posted: 0n, pendingDebits: 0n, pendingCredits: 0n };
  return { posted: BigInt(r.posted), pendingDebits: BigInt(r.pending_debits), pendingCredits: BigInt(r.pending_credits) };
}
