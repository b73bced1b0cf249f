// The merchant's own settings (GET and PATCH /merchant/v1/settings, issue 19): its trading settings and
// each store's payment-intent settings, the parts a merchant may change itself. A PATCH changes only the
// fields it gives, all of them in one transaction (one refused field writes nothing), through the same
// use cases as the operator's routes (settings-admin.ts, store-settings.ts). Every payment copies what
// it needs when it is created, so a change applies to payments created after it.
import { AppError } from "../../core/shared/errors.js";
import { invalidCursor, pageOf, pageSize } from "../../core/shared/page-size.js";
import { findIntentSettingsOf } from "../../db/intents/intents.js";
import { listMerchantStores } from "../../db/stores.js";
import type { Deps } from "../deps.js";
import { type IntentSettingsView, intentSettingsView, patchStoreSettings, type StoreSettingsPatch } from "../intents/store-settings.js";
import { patchTradingSettings, type TradingSettingsPatch, tradingSettingsOrNull } from "../trading/settings-admin.js";
import type { TradingSettings } from "../trading/merchant-settings.js";
import { MAX_PAGE } from "./merchants.js";

/** Stores one PATCH may change. */
export const MAX_STORES_PER_PATCH = 20;

interface MerchantSettingsPatch {
  trading?: TradingSettingsPatch;
  stores?: StoreSettingsPatch[];
}

interface StoreSettings {
  storeId: string;
  name: string;
  /** Null: the store is not set up for payment intents (the operator adds its bank details first). */
  intent: IntentSettingsView | null;
}

/** Trading settings (null when trading is not enabled) and one page of the stores, newest first. */
export async function merchantSettings(deps: Deps, merchantId: string, q: { cursor?: string | undefined; limit?: number | undefined }) {
  const limit = pageSize(q.limit, 50, MAX_PAGE);
  const rows = await listMerchantStores(deps.database.db, merchantId, { ...(q.cursor ? { afterId: q.cursor } : {}), limit: limit + 1 });
  if (!rows) throw invalidCursor();
  const page = pageOf(rows, limit, (s) => s.id);
  const settings = await findIntentSettingsOf(
    deps.database.db,
    page.items.map((s) => s.id),
  );
  const stores: StoreSettings[] = page.items.map((s) => {
    const row = settings.get(s.id);
    return { storeId: s.id, name: s.name, intent: row ? intentSettingsView(row) : null };
  });
  return { trading: await tradingSettingsOrNull(deps, merchantId), stores: { items: stores, nextCursor: page.nextCursor } };
}

/** The settings after the change, as far as it reached them: the trading settings if given, each changed store. */
export async function patchMerchantSettings(
  deps: Deps,
  merchantId: string,
  patch: MerchantSettingsPatch,
): Promise<{ trading: TradingSettings | null; stores: IntentSettingsView[]; changedAt: Date }> {
  const stores = patch.stores ?? [];
  if (patch.trading === undefined && stores.length === 0) throw new AppError("validation_failed", { message: "Give trading or stores: there is nothing to change." });
  stores.forEach((s, i) => {
    if (stores.findIndex((o) => o.storeId === s.storeId) !== i) throw new AppError("validation_failed", { field: `stores.${i}.storeId`, message: `stores.${i}.storeId: ${s.storeId} is listed twice` });
  });
  return deps.database.db.transaction().execute(async (trx) => {
    const trading = patch.trading === undefined ? null : await patchTradingSettings(deps, trx, merchantId, patch.trading, "trading.");
    // Stores are locked in storeId order whatever the request's order, so two PATCHes naming the same
    // stores cannot deadlock; the answer keeps the request's order.
    const changed: IntentSettingsView[] = new Array(stores.length);
    const byId = [...stores.entries()].sort(([, a], [, b]) => (a.storeId < b.storeId ? -1 : a.storeId > b.storeId ? 1 : 0));
    for (const [i, s] of byId) changed[i] = await patchStoreSettings(deps, trx, merchantId, s, `stores.${i}.`);
    return { trading, stores: changed, changedAt: deps.clock.now() };
  });
}
