// Allocation of a (requisite, fiat amount) slot inside the create transaction. The database decides:
//  1. a pre-filter picks enabled, matching requisites with a free slot, least recently used first;
//  2. each try locks one requisite row (first those nobody holds, SKIP LOCKED; then waiting for the
//     rest one at a time, never holding one lock while waiting for another, so no deadlock), so
//     creators on one requisite serialize and the usage checks see every committed pay-in;
//  3. the insert is guarded by the unique partial index on (requisite_id, fiat_amount_minor) over
//     active pay-ins: a race that still loses there (23505) rolls back to a savepoint and moves on;
//  4. the trader's crypto is held in the ledger (no-negative trader deposit): a trader without
//     enough free deposit is skipped the same way.
// Every try runs inside a savepoint, so a refusal releases that requisite's lock at once. The first
// try's savepoint comes before the candidate pick, so the pick, the first lock and (most of the time)
// that requisite's usage are one statement;
// a taken slot's savepoint is left for the commit to release (one round trip less while the pay-in's
// ledger hold keeps the shared balance rows locked).
import { sql, type Transaction } from "kysely";
import { type AmountRequest, closestFreeAmount } from "../../core/trading/allocation.js";
import { AppError } from "../../core/shared/errors.js";
import type { DB } from "../../db/schema.js";
import { TRADER_DEPOSIT_ACCOUNT } from "./ledger-postings.js";
import { type LockedRequisite, lockRequisite, pickAndLockRequisite, type RequisiteUsage, requisiteUsage } from "../../db/trading/requisites.js";

/** Bounds the work of one create: candidates looked at and locks tried. */
export const MAX_CANDIDATES = 24;
const MAX_TRIES = 48;

export interface SlotFilter {
  fiatCurrency: string;
  method: string | null;
  bank: string | null;
  allowedMethods: string[] | null;
  allowedBanks: string[] | null;
  amount: AmountRequest;
  stepMinor: bigint;
  grid: { first: bigint; last: bigint; count: bigint };
  /** The trader's crypto the grid's first (smallest) amount holds: a trader with less free deposit is skipped. */
  minCryptoMinor: bigint;
  /** A test twin's pay-in (test-mode.ts isTestMerchant): test traders only; a live one: live traders only. */
  testTraders: boolean;
}

type SlotOutcome<T> = { kind: "taken"; value: T } | { kind: "skip"; reason: string };

export function utcDayStart(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}
export function utcMonthStart(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
}

function isUniqueViolation(err: unknown, constraint: string): boolean {
  const e = err as { code?: string; constraint?: string; message?: string };
  return e?.code === "23505" && (e.constraint === constraint || (e.message ?? "").includes(constraint));
}

/**
 * Finds a slot and lets `take` write the pay-in and its hold. `take` returns "skip" (or throws
 * AppError insufficient_funds) to refuse that requisite; the savepoint is rolled back and the next
 * candidate is tried. Throws no_requisite_available when nothing fits. `take` writes the
 * requisite's turn (last_assigned_at); its last write is what holds the hottest locks, so the
 * transaction should commit right after it.
 */
export async function allocateSlot<T>(
  trx: Transaction<DB>,
  now: Date,
  f: SlotFilter,
  take: (requisite: LockedRequisite, amountMinor: bigint) => Promise<SlotOutcome<T>>,
): Promise<T> {
  const window = {
    ...slotWindow(f),
    dayStart: utcDayStart(now),
    monthStart: utcMonthStart(now),
  };
  await sql`SAVEPOINT trading_alloc`.execute(trx);
  const picked = await pickAndLockRequisite(trx, {
    fiatCurrency: f.fiatCurrency,
    method: f.method,
    bank: f.bank,
    allowedMethods: f.allowedMethods,
    allowedBanks: f.allowedBanks,
    slots: { first: f.grid.first, last: f.grid.last, step: f.stepMinor, count: f.grid.count },
    deposit: { ...TRADER_DEPOSIT_ACCOUNT, atLeastMinor: f.minCryptoMinor },
    limit: MAX_CANDIDATES,
    testTraders: f.testTraders,
    usage: window,
  });
  let remaining = picked.candidates.map((c) => c.id);
  const exhaustedTraders = new Set<string>();
  let skipLocked = true;

  for (let tries = 0; remaining.length > 0 && tries < MAX_TRIES; tries++) {
    if (tries > 0) await sql`SAVEPOINT trading_alloc`.execute(trx);
    const req = tries === 0 ? picked.locked : await lockRequisite(trx, skipLocked ? remaining : [remaining[0]!], skipLocked);
    if (!req) {
      await sql`RELEASE SAVEPOINT trading_alloc`.execute(trx);
      // Everything left is held by concurrent creates: now wait for them one by one.
      if (skipLocked) skipLocked = false;
      else remaining = remaining.slice(1);
      continue;
    }
    remaining = remaining.filter((id) => id !== req.id);
    let outcome: SlotOutcome<T> | null = null;
    try {
      if (!exhaustedTraders.has(req.trader_id)) {
        // The pick's own usage read stands when no create committed on its requisite since its snapshot.
        const usage = (tries === 0 ? picked.usage : undefined) ?? (await requisiteUsage(trx, req.id, window));
        outcome = await tryRequisite(req, f, usage, take);
      }
    } catch (err) {
      if (err instanceof AppError && err.code === ("insufficient_funds" as string)) {
        exhaustedTraders.add(req.trader_id);
      } else if (!isUniqueViolation(err, "trading_payins_open_slot_uq")) {
        throw err;
      }
    }
    if (outcome?.kind === "taken") return outcome.value;
    await sql`ROLLBACK TO SAVEPOINT trading_alloc`.execute(trx);
    await sql`RELEASE SAVEPOINT trading_alloc`.execute(trx);
  }
  throw new AppError("no_requisite_available");
}

/** The amounts whose taken slots a create reads: its exact amount, or its range's grid. */
export function slotWindow(f: SlotFilter): { lo: bigint; hi: bigint } {
  return f.amount.kind === "exact" ? { lo: f.amount.amountMinor, hi: f.amount.amountMinor } : { lo: f.grid.first, hi: f.grid.last };
}

/** The amount a create takes on a locked requisite of this usage, or why it cannot (the single and the batched create's rule). */
export function fitsRequisite(req: LockedRequisite, f: SlotFilter, usage: RequisiteUsage): { kind: "fit"; amountMinor: bigint } | { kind: "skip"; reason: string } {
  if (usage.open >= req.max_open_payins) return { kind: "skip", reason: "max open pay-ins" };
  const amount = closestFreeAmount(f.amount, f.stepMinor, usage.taken);
  if (amount === null) return { kind: "skip", reason: "no free amount" };
  if (req.daily_volume_limit_minor !== null && usage.dayVolume + amount > BigInt(req.daily_volume_limit_minor)) {
    return { kind: "skip", reason: "daily volume" };
  }
  if (req.monthly_volume_limit_minor !== null && usage.monthVolume + amount > BigInt(req.monthly_volume_limit_minor)) {
    return { kind: "skip", reason: "monthly volume" };
  }
  return { kind: "fit", amountMinor: amount };
}

async function tryRequisite<T>(
  req: LockedRequisite,
  f: SlotFilter,
  usage: RequisiteUsage,
  take: (requisite: LockedRequisite, amountMinor: bigint) => Promise<SlotOutcome<T>>,
): Promise<SlotOutcome<T>> {
  const fit = fitsRequisite(req, f, usage);
  if (fit.kind === "skip") return fit;
  // `take` also takes the requisite's turn (last_assigned_at) with the pay-in's insert; a refusal
  // rolls it back with the savepoint.
  return take(req, fit.amountMinor);
}
