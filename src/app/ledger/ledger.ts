// The ledger API every area books money through. Every write takes the caller's transaction: the
// ledger moves commit or roll back together with the business change that caused them. Balance rows
// are locked (FOR UPDATE, account id order) before they are checked and moved, so a no-negative
// account stays >= 0 however many transfers race for it.
import type { CompiledQuery, QueryResult, Transaction } from "kysely";
import { accountKey, type AccountRef, isNoNegative } from "../../core/ledger/accounts.js";
import { applyDelta, available, type Balance, type BalanceDelta, balanceDelta } from "../../core/ledger/balances.js";
import { decideHold, effectiveHoldState, type HoldAction } from "../../core/ledger/holds.js";
import { assertValidTransfer, entriesFingerprint, type EntryInput, normalizeEntries, type TransferInput } from "../../core/ledger/transfer.js";
import { AppError, IllegalTransitionError } from "../../core/shared/errors.js";
import {
  addToBalances,
  type CoveredOutcome,
  claimExpiredHolds,
  ensureAccounts,
  findReversalOf,
  entriesOfTransfers,
  findTransfer,
  insertResolutions,
  lockBalances,
  readBalance,
  readTransfers,
  type StoredTransfer,
  transferEntries,
  writeTransfersIfCovered,
  writeTransfersOrRaise,
} from "../../db/ledger/ledger-store.js";
import { EARLY_COMMIT } from "../../db/pipelined.js";
import type { Db, DB } from "../../db/schema.js";
import type { Deps } from "../deps.js";

export type { AccountPurpose, AccountRef } from "../../core/ledger/accounts.js";
export type { EntryInput, TransferInput } from "../../core/ledger/transfer.js";
export { transfersNotWritten } from "../../db/ledger/ledger-store.js";

interface PostResult {
  transferId: string;
  /** false when this id was already booked with the same entries (a retry): nothing changed. */
  created: boolean;
}

/** A repeat of an id is a no-op only when it books the same thing. */
async function assertSameTransfer(trx: Transaction<DB>, existing: StoredTransfer, input: TransferInput, entries: EntryInput[]): Promise<void> {
  const stored = await transferEntries(trx, existing.id);
  const same =
    existing.pending === (input.pending !== undefined) &&
    existing.reversalOf === (input.reversalOf ?? null) &&
    entriesFingerprint(stored) === entriesFingerprint(entries);
  if (!same) throw new AppError("transfer_id_conflict", { details: { transferId: existing.id } });
}

/**
 * Books a transfer (posted, or a hold when `pending` is set). Same id again with the same entries:
 * `created: false`, nothing written. Throws AppError insufficient_funds when a no-negative account would
 * drop below zero (posted − pending debits), transfer_id_conflict when the id was used differently, and
 * InvalidTransferError (a bug) when the entries do not balance per asset.
 */
export async function postTransfer(trx: Transaction<DB>, input: TransferInput, now: Date): Promise<PostResult> {
  const checked = transferHeader(input, now);
  // Common case, one statement: a new id over existing accounts, checked and written whole.
  if (await postIfCovered(trx, [checked])) return { transferId: input.id, created: true };
  // Not written and nothing short: an account is missing, or the id is booked (maybe concurrently).
  const existing = await findTransfer(trx, input.id);
  if (existing) {
    await assertSameTransfer(trx, existing, input, checked.entries);
    return { transferId: input.id, created: false };
  }
  await openAccounts(trx, checked.entries.map((e) => e.account));
  if (await postIfCovered(trx, [checked])) return { transferId: input.id, created: true };
  // A concurrent transaction booked this id first (it committed before our insert returned).
  await assertSameTransfer(trx, (await findTransfer(trx, input.id))!, input, checked.entries);
  return { transferId: input.id, created: false };
}

/**
 * A transfer's entries (normalized, one per account) checked to balance per asset (InvalidTransferError,
 * a bug, when not), the balance stage they move (a hold's pending amounts or posted ones) and the
 * header row that books it at `now`: what postTransfer and postTransfersLast write.
 */
function transferHeader(input: TransferInput, now: Date) {
  const entries = normalizeEntries(input.entries);
  assertValidTransfer({ ...input, entries });
  const stage = input.pending ? ("hold" as const) : ("post" as const);
  const header = {
    id: input.id,
    code: input.code,
    refType: input.ref.type,
    refId: input.ref.id,
    pending: input.pending !== undefined,
    expiresAt: input.pending?.expiresAt ?? null,
    reversalOf: input.reversalOf ?? null,
    at: now,
  };
  return { entries, stage, header };
}

/**
 * Creates the accounts of `refs` that do not exist yet, with their zero balance rows, in accountKey
 * order: two transactions creating the same missing accounts then cannot deadlock on each other's
 * inserts. The general path of postTransfer, before it books over them; and for postTransfersLast,
 * which opens none, ahead of it.
 */
export async function openAccounts(trx: Transaction<DB>, refs: readonly AccountRef[]): Promise<void> {
  const sorted = [...new Map(refs.map((ref) => [accountKey(ref), ref]))].sort(([a], [b]) => (a < b ? -1 : 1));
  await ensureAccounts(trx, sorted.map(([, ref]) => ({ ref, noNegative: isNoNegative(ref.purpose) })));
}

type CheckedTransfer = ReturnType<typeof transferHeader>;

/** Checked transfers as the ledger store's statements take them: each leg with the balance move it makes. */
function storeTransfers(transfers: readonly CheckedTransfer[]) {
  return transfers.map(({ header, entries, stage }) => ({
    transfer: header,
    legs: entries.map((e) => ({ account: e.account, amount: e.amountMinor, delta: balanceDelta(e.amountMinor, stage) })),
  }));
}

/**
 * The one statement that books transfers (ledger-store.ts writeTransfersIfCovered): true when they were
 * written. Throws insufficient_funds when a no-negative account they debit would end below zero after
 * all of them (nothing written); false otherwise (an account is missing or an id is booked: the caller
 * decides).
 */
async function postIfCovered(trx: Transaction<DB>, transfers: readonly CheckedTransfer[]): Promise<boolean> {
  return isWritten(await writeTransfersIfCovered(trx, storeTransfers(transfers)), transfers);
}

/** True when the transfers were written; throws insufficient_funds when an account they debit is short. */
function isWritten(r: CoveredOutcome, transfers: readonly CheckedTransfer[]): boolean {
  if (r.kind === "written") return true;
  if (r.kind === "refused") {
    // The transfers' moves summed per account, checked against the balances the statement locked.
    for (const before of r.balances.values()) {
      const legs = transfers.flatMap(({ entries, stage }) => entries.filter((e) => accountKey(e.account) === accountKey(before)).map((e) => ({ e, delta: balanceDelta(e.amountMinor, stage) })));
      const debit = legs.find(({ e }) => e.amountMinor < 0n);
      if (!debit) continue;
      const total = legs.reduce((sum, { delta }) => applyDelta(sum, delta), { posted: 0n, pendingDebits: 0n, pendingCredits: 0n } as BalanceDelta);
      refuseIfUncovered(debit.e, before, total);
    }
  }
  return false;
}

/**
 * Books new transfers together (a batch of trading creates' holds, issue 16) as the last work of the
 * caller's transaction, in ONE statement (ledger-store.ts writeTransfersOrRaise) that locks the balance
 * rows they move, checks that no no-negative account ends below zero after all of them, and writes them;
 * the rows stay locked only for that statement and the commit. It never repairs: where the statement
 * would write nothing (a debited no-negative account short, an account missing, an id booked), it fails
 * whole, transfersNotWritten(err) is true, and the transaction is aborted. `before`: the caller's
 * statements to run first, in the same round trip; returns their results. `commit` (PostgreSQL only):
 * the transaction's COMMIT goes in that round trip too (pipelined.ts EARLY_COMMIT), so the transaction
 * has ended when this returns and nothing may follow it there.
 */
export async function postTransfersLast(
  trx: Transaction<DB>,
  inputs: readonly TransferInput[],
  now: Date,
  { before, commit }: { before: readonly CompiledQuery[]; commit: boolean },
): Promise<QueryResult<unknown>[]> {
  const transfers = storeTransfers(inputs.map((input) => transferHeader(input, now)));
  return writeTransfersOrRaise(trx, transfers, before, commit ? [EARLY_COMMIT] : []);
}

/** Throws insufficient_funds when the entry would take a no-negative account below zero. */
function refuseIfUncovered(e: EntryInput, before: Balance & { noNegative: boolean }, delta: BalanceDelta): void {
  if (before.noNegative && e.amountMinor < 0n && available(applyDelta(before, delta)) < 0n) {
    throw new AppError("insufficient_funds", {
      details: { owner: e.account.owner, asset: e.account.asset, purpose: e.account.purpose, available: available(before).toString() },
    });
  }
}

/**
 * Records the resolutions of several holds (under locks on their transfer rows, taken in id order) and
 * moves their pending amounts, each balance row once with the sum of its moves. Set-based, so expiring
 * a batch of pay-ins costs a few statements and not a few per hold (issue 16). Returns, per transfer,
 * its code and whether this call resolved it (false: already resolved, a no-op).
 */
async function resolveHolds(
  trx: Transaction<DB>,
  transferIds: readonly string[],
  action: HoldAction,
  now: Date,
): Promise<Map<string, { resolved: boolean; code: string }>> {
  const ids = [...new Set(transferIds)];
  const transfers = await readTransfers(trx, ids, true);
  const missing = ids.find((id) => !transfers.some((t) => t.id === id));
  if (missing !== undefined) throw new AppError("not_found", { message: `No such ledger transfer: ${missing}` });
  const results = new Map<string, { resolved: boolean; code: string }>();
  const resolutions: { transferId: string; kind: "posted" | "voided" | "expired" }[] = [];
  for (const t of transfers) {
    const state = effectiveHoldState(t.state, t.expiresAt, now);
    // A hold past its expiry that the worker has not reached yet: voiding or expiring records "expired".
    const decision =
      t.state === "pending" && state === "expired" && action !== "post" ? ({ kind: "resolve", to: "expired" } as const) : decideHold(state, action);
    results.set(t.id, { resolved: decision.kind !== "noop", code: t.code });
    if (decision.kind !== "noop") resolutions.push({ transferId: t.id, kind: decision.to });
  }
  if (resolutions.length === 0) return results;

  await insertResolutions(trx, resolutions, now);
  const entries = await entriesOfTransfers(trx, resolutions.map((r) => r.transferId));
  const moves = new Map<string, BalanceDelta>();
  for (const r of resolutions) {
    const stage = r.kind === "posted" ? "settle" : "release";
    for (const e of entries.get(r.transferId) ?? []) {
      const delta = balanceDelta(e.amountMinor, stage);
      const sum = moves.get(e.accountId);
      moves.set(e.accountId, sum ? applyDelta(sum, delta) : delta);
    }
  }
  await lockBalances(trx, [...moves.keys()]);
  await addToBalances(trx, [...moves].map(([accountId, delta]) => ({ accountId, delta })));
  return results;
}

async function resolveHold(trx: Transaction<DB>, transferId: string, action: HoldAction, now: Date): Promise<{ resolved: boolean; code: string }> {
  return (await resolveHolds(trx, [transferId], action, now)).get(transferId)!;
}

/**
 * Posts a hold: its pending amounts become posted. Idempotent; refuses a voided or expired hold.
 * Returns the hold's code, so a caller whose holds changed shape over time books what follows.
 */
export async function postPending(trx: Transaction<DB>, transferId: string, now: Date): Promise<{ code: string }> {
  return { code: (await resolveHold(trx, transferId, "post", now)).code };
}

/** Voids holds: their pending amounts are released. Idempotent (also on an expired hold); refuses a posted one. */
export async function voidPending(trx: Transaction<DB>, transferIds: string | readonly string[], now: Date): Promise<void> {
  await resolveHolds(trx, typeof transferIds === "string" ? [transferIds] : transferIds, "void", now);
}

/** Expires up to `limit` holds whose expiresAt has passed; returns how many it expired. */
export async function expirePendingTransfers(trx: Transaction<DB>, now: Date, limit = 100): Promise<number> {
  const results = await resolveHolds(trx, await claimExpiredHolds(trx, now, limit), "expire", now);
  return [...results.values()].filter((r) => r.resolved).length;
}

/** The worker's pass over due holds: one short transaction per batch of up to `limit`. */
export async function expireDueHolds(deps: Deps, limit = 100): Promise<number> {
  return deps.database.db.transaction().execute((trx) => expirePendingTransfers(trx, deps.clock.now(), limit));
}

/**
 * Books a new transfer with the original's entries negated, linked by reversal_of. The original must
 * be posted (a plain transfer or a posted hold: void a pending hold instead) and is reversed at most
 * once; repeating the same reversal id is a no-op. The reversal itself obeys no-negative accounts.
 */
export async function reverseTransfer(trx: Transaction<DB>, r: { id: string; originalId: string; code: string }, now: Date): Promise<PostResult> {
  const original = await findTransfer(trx, r.originalId, true);
  if (!original) throw new AppError("not_found", { message: `No such ledger transfer: ${r.originalId}` });
  if (original.state !== "posted") throw new IllegalTransitionError({ entity: "ledger transfer", action: "reverse", currentStatus: original.state, message: `Cannot reverse a ledger transfer that is ${original.state}` });
  const prior = await findReversalOf(trx, r.originalId);
  if (prior !== null && prior !== r.id) throw new IllegalTransitionError({ entity: "ledger transfer", action: "reverse", currentStatus: "reversed", message: "Cannot reverse a ledger transfer that is already reversed" });
  const entries = (await transferEntries(trx, r.originalId)).map((e) => ({ account: e.account, amountMinor: -e.amountMinor }));
  return postTransfer(trx, { id: r.id, code: r.code, ref: { type: original.refType, id: original.refId }, entries, reversalOf: r.originalId }, now);
}

export interface AccountBalance {
  posted: bigint;
  /** Net pending: pending credits − pending debits. */
  pending: bigint;
  /** What may be spent: posted − pending debits (pending credits are not yet usable). */
  available: bigint;
  pendingDebits: bigint;
  pendingCredits: bigint;
}

/** An account's balance (zeros for an account never used). Takes the database or a transaction. */
export async function getBalance(db: Db, account: AccountRef): Promise<AccountBalance> {
  const b = await readBalance(db, account);
  return { posted: b.posted, pending: b.pendingCredits - b.pendingDebits, available: available(b), pendingDebits: b.pendingDebits, pendingCredits: b.pendingCredits };
}

