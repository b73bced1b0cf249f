// GET /payment/intent/{id}/status is what merchants poll. It is answered from a per-process cache that
// the intent_changed notifications keep exact (migrations/0009_intent_change_notify.sql): any
// committed change to an intent, from any process, drops its entry within a notification's latency,
// and this process's own changes are read back from the database until theirs arrives. The entry holds
// the intent's risk decision too: a review released or rejected announces the intent the same way
// (migrations/0042_risk_decision_intent_notify.sql).
import { AppError } from "../../core/shared/errors.js";
import { type MaybeAsync, thenMaybe } from "../../core/shared/maybe-async.js";
import { listIntentRefunds } from "../../db/bank-transfers/bank-transfers.js";
import { findIntentStatusRow } from "../../db/intents/intents.js";
import type { Db } from "../../db/schema.js";
import { perDatabaseCache } from "../cache/change-notified-cache.js";
import type { Deps } from "../deps.js";
import { paymentRisk, type PaymentRiskView } from "../risk/payment-risk.js";
import type { IntentStatusRead } from "./status-view.js";

export type CachedIntentStatus = IntentStatusRead & { risk: PaymentRiskView | null };

const statusCache = perDatabaseCache<CachedIntentStatus>({ channel: "intent_changed", maxEntries: 100_000, ttlMs: 60_000 });

/** The intent routes start it; workers do not. */
export function startIntentStatusCache(deps: Deps): void {
  statusCache.start(deps.database);
}

/** Another merchant's intent is not found, exactly as an unknown id. */
export function readIntentStatus(deps: Deps, merchantId: string, id: string): MaybeAsync<CachedIntentStatus> {
  return thenMaybe(readAnyIntentStatus(deps, id), (row) => {
    if (!row || row.merchant_id !== merchantId) throw new AppError("not_found", { message: "No such payment intent" });
    return row;
  });
}

/** Through the same cache, for a caller that proved its right to the intent otherwise (a signed checkout link). */
export function readAnyIntentStatus(deps: Deps, id: string): MaybeAsync<CachedIntentStatus | undefined> {
  return statusCache.read(deps.database, id, async () => {
    const [row, risk] = await Promise.all([loadIntentStatus(deps.database.db, id), paymentRisk(deps.database.db, "intent", [id])]);
    return row && { ...row, risk };
  });
}

/** The row and its refunds; `db` is the transaction when an answer is built inside one (a cancel). */
export async function loadIntentStatus(db: Db, id: string): Promise<IntentStatusRead | undefined> {
  const row = await findIntentStatusRow(db, id);
  return row && { ...row, refunds: await listIntentRefunds(db, [id]) };
}

/** Every intent change calls this in its transaction (transitionIntent). */
export function intentChanging(deps: Deps, id: string): void {
  statusCache.changingNow(deps.database, id);
}
