// The shape of a transfer and the rules every one must follow before it reaches the database (which
// checks the balance again at commit).
import { type AccountRef, accountKey, compareAccounts } from "./accounts.js";

/** amountMinor is signed: negative debits the account, positive credits it. */
export interface EntryInput {
  account: AccountRef;
  amountMinor: bigint;
}

export interface TransferInput {
  /** Unique idempotency key, e.g. `trading:${payinId}:hold`. */
  id: string;
  /** Why, e.g. "trading_payin_hold". */
  code: string;
  ref: { type: string; id: string };
  /** At least two, summing to zero per asset. */
  entries: EntryInput[];
  /** A hold: posted or voided later, or expired by the worker after expiresAt. */
  pending?: { expiresAt?: Date };
  /** The transfer this one reverses. */
  reversalOf?: string;
}

/** A caller built a transfer that can never be valid: a bug, never a client error. */
export class InvalidTransferError extends Error {
  constructor(transferId: string, reason: string) {
    super(`Invalid ledger transfer ${transferId}: ${reason}`);
    this.name = "InvalidTransferError";
  }
}

const MAX_ID = 200;
const MAX_ENTRIES = 64;

/** Refuses an unbalanced or malformed transfer. */
export function assertValidTransfer(t: TransferInput): void {
  const fail = (reason: string): never => {
    throw new InvalidTransferError(t.id, reason);
  };
  if (t.id.length === 0 || t.id.length > MAX_ID) fail(`id must be 1..${MAX_ID} characters`);
  if (!t.code) fail("code is required");
  if (!t.ref.type || !t.ref.id) fail("ref type and id are required");
  if (t.entries.length < 2) fail("needs at least two non-zero entries (after netting per account)");
  if (t.entries.length > MAX_ENTRIES) fail(`at most ${MAX_ENTRIES} entries`);
  const perAsset = new Map<string, bigint>();
  for (const e of t.entries) {
    if (typeof e.amountMinor !== "bigint") fail("amounts must be bigint minor units");
    if (e.amountMinor === 0n) fail("an entry amount is zero");
    if (!e.account.owner || !e.account.asset || !e.account.purpose) fail("an entry account is incomplete");
    perAsset.set(e.account.asset, (perAsset.get(e.account.asset) ?? 0n) + e.amountMinor);
  }
  for (const [asset, sum] of perAsset) if (sum !== 0n) fail(`entries in ${asset} sum to ${sum}, not zero`);
  if (t.pending?.expiresAt && Number.isNaN(t.pending.expiresAt.getTime())) fail("expiresAt is not a valid date");
}

/** Order-insensitive fingerprint of the entries, to tell a repeat from a conflicting reuse of an id. */
export function entriesFingerprint(entries: readonly EntryInput[]): string {
  return entries
    .map((e) => `${accountKey(e.account)}\u0000${e.amountMinor}`)
    .sort()
    .join("\n");
}

/**
 * One entry per account, in account order: several legs on one account are netted and zero nets
 * dropped, so stored entries, balance moves and the idempotency fingerprint all agree.
 */
export function normalizeEntries(entries: readonly EntryInput[]): EntryInput[] {
  const out = new Map<string, EntryInput>();
  for (const e of entries) {
    const k = accountKey(e.account);
    const cur = out.get(k);
    out.set(k, { account: e.account, amountMinor: (cur?.amountMinor ?? 0n) + e.amountMinor });
  }
  return [...out.values()].filter((e) => e.amountMinor !== 0n).sort((a, b) => compareAccounts(a.account, b.account));
}
