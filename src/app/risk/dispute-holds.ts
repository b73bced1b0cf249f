// What trading disputes feed into risk (docs/risk.md). A dispute decided "not paid" counts against the
// payer (the payer_disputes rule reads it at the payer's next create). A pay-in's first dispute counts
// against its requisite and trader: over the platform's dispute rate (config disputeRate), the requisite,
// or the trader with all its requisites, is taken out of allocation until an operator releases it.
// Both run inside the dispute's own transaction.
import type { Transaction } from "kysely";
import { ALLOCATION_HOLD, overDisputeRate } from "../../core/risk/allocation-hold.js";
import { signalValue } from "../../core/risk/signals.js";
import { AppError } from "../../core/shared/errors.js";
import { addNotPaidDispute, countRequisiteDispute, listHolds, lockRequisiteHold, lockTraderHold, setRequisiteHold, setTraderHold, traderDisputeTotals } from "../../db/risk/dispute-holds.js";
import type { DB } from "../../db/schema.js";
import type { TradingPayinRow } from "../../db/trading/payins.js";
import type { Deps } from "../deps.js";
import { tradingSignals } from "./dialect-signals.js";

/** Support decided "not paid": one more for the payer's userId (payerInfo), normalised as the rules count it. */
export async function countPayerNotPaid(trx: Transaction<DB>, p: TradingPayinRow): Promise<void> {
  const userId = signalValue(tradingSignals({ amountMinor: 0n, currency: p.fiat_currency, depositType: null, extra: p.extra as Record<string, unknown> | null }), "userId");
  if (userId) await addNotPaidDispute(trx, p.merchant_id, userId);
}

/** A pay-in went to its first dispute: count it on its requisite, and hold the requisite or trader when over the rate. */
export async function countFirstDispute(deps: Deps, trx: Transaction<DB>, p: TradingPayinRow): Promise<void> {
  const limit = deps.config.disputeRate;
  const r = await countRequisiteDispute(trx, p.requisite_id);
  if (limit.ratePercent === null) return;
  const now = deps.clock.now();
  const status = (heldAt: Date | null) => (heldAt === null ? "allocating" : "held");
  if (ALLOCATION_HOLD.can(status(r.risk_held_at), "hold") && overDisputeRate(r.payins_assigned, r.disputes_opened, limit)) {
    await setRequisiteHold(trx, r.id, now);
    deps.logger.warn({ requisiteId: r.id, payins: r.payins_assigned, disputes: r.disputes_opened, ratePercent: limit.ratePercent }, "requisite taken out of allocation for its dispute rate");
  }
  const t = await traderDisputeTotals(trx, r.trader_id);
  if (ALLOCATION_HOLD.can(status(t.heldAt), "hold") && overDisputeRate(t.payins, t.disputes, limit)) {
    await setTraderHold(trx, r.trader_id, now);
    deps.logger.warn({ traderId: r.trader_id, payins: t.payins, disputes: t.disputes, ratePercent: limit.ratePercent }, "trader taken out of allocation for its dispute rate");
  }
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** The operator's list: held requisites (with their counters) and held traders, at most 100 of each. */
export async function allocationHolds(deps: Deps) {
  const { requisites, traders } = await listHolds(deps.database.db, 100);
  return {
    requisites: requisites.map((r) => ({ id: r.id, traderId: r.trader_id, bank: r.bank_code, method: r.method, payins: r.payins_assigned, disputes: r.disputes_opened, heldAt: iso(r.risk_held_at) })),
    traders: traders.map((t) => ({ id: t.id, name: t.name, heldAt: iso(t.risk_held_at) })),
  };
}

/**
 * The operator reviewed it: back into allocation, its counters (a trader's: all its requisites')
 * starting afresh. Not held: 409 naming the status; unknown: 404.
 */
export async function releaseAllocationHold(deps: Deps, subject: "requisite" | "trader", id: string, operatorId: string): Promise<{ id: string; status: "allocating" }> {
  await deps.database.db.transaction().execute(async (trx) => {
    const row = subject === "requisite" ? await lockRequisiteHold(trx, id) : await lockTraderHold(trx, id);
    if (!row) throw new AppError("not_found", { message: `No such ${subject}` });
    ALLOCATION_HOLD.next(row.risk_held_at === null ? "allocating" : "held", "release");
    if (subject === "requisite") await setRequisiteHold(trx, id, null);
    else await setTraderHold(trx, id, null);
  });
  deps.logger.info({ subject, id, operatorId }, "allocation hold released");
  return { id, status: "allocating" };
}
