// GET /payment/trading/{id} is what merchants poll. Like the intent status (intents/status-cache.ts) it
// is answered from per-process caches that notifications keep exact (migrations/0062_r_status_read_notify.sql):
// the pay-in row with its risk decision under the pay-in's id, and the requisite it shows its payer
// under the requisite's id (many pay-ins share one requisite, and its shown fields never change in
// the app, only by an operator's SQL, which the trigger announces). Any committed change, from any
// process, drops the entry within a notification's latency; this process's own changes are read back
// from the database until theirs arrives (tradingPayinChanging).
import { AppError } from "../../core/shared/errors.js";
import { type MaybeAsync, thenMaybe } from "../../core/shared/maybe-async.js";
import { findPayin, type TradingPayinRow } from "../../db/trading/payins.js";
import { findRequisite } from "../../db/trading/requisites.js";
import { perDatabaseCache } from "../cache/change-notified-cache.js";
import { keptViews } from "../cache/kept-views.js";
import type { Deps } from "../deps.js";
import { paymentRisk, type PaymentRiskView } from "../risk/payment-risk.js";
import { renderTradingPayin, type RequisiteView } from "./payin-object.js";

interface CachedPayin {
  payin: TradingPayinRow;
  risk: PaymentRiskView | null;
}

const payinCache = perDatabaseCache<CachedPayin>({ channel: "trading_payin_row_changed", maxEntries: 100_000, ttlMs: 60_000 });
const requisiteCache = perDatabaseCache<RequisiteView>({ channel: "trading_requisite_changed", maxEntries: 100_000, ttlMs: 60_000 });
/** The object rendered for an entry, while its requisite entry and the public URL are the same. */
type PayinView = ReturnType<typeof renderTradingPayin> & { risk: PaymentRiskView | null };
const views = keptViews<CachedPayin, PayinView>();

/** The trading routes start them; workers do not. */
export function startPayinReadCache(deps: Deps): void {
  payinCache.start(deps.database);
  requisiteCache.start(deps.database);
}

/**
 * The pay-in object with its risk decision; another merchant's pay-in is not found, exactly as an unknown id.
 * The object is frozen and the same for every read of an unchanged entry (cache/kept-views.ts).
 */
export function readMerchantPayin(deps: Deps, merchantId: string, id: string): MaybeAsync<PayinView> {
  const db = deps.database.db;
  const entry = payinCache.read(deps.database, id, async () => {
    const [payin, risk] = await Promise.all([findPayin(db, id), paymentRisk(db, "trading", [id])]);
    return payin && { payin, risk };
  });
  // Both reads are answered at once when cached (core/shared/maybe-async.ts).
  return thenMaybe(entry, (cached) => {
    if (!cached || cached.payin.merchant_id !== merchantId) throw new AppError("not_found", { message: "Pay-in not found" });
    const requisite = requisiteCache.read(deps.database, cached.payin.requisite_id, () => findRequisite(db, cached.payin.requisite_id));
    return thenMaybe(requisite, (r) => {
      const publicUrl = deps.config.publicUrl;
      return views(cached, [r!, publicUrl], () => ({ ...renderTradingPayin(cached.payin, r!, publicUrl), risk: cached.risk }));
    });
  });
}

/** Every change to a pay-in row, or to its risk decision, calls this in its transaction. */
export function tradingPayinChanging(deps: Deps, id: string): void {
  payinCache.changingNow(deps.database, id);
}
