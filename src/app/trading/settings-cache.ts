// Every trading request without an x-signature reads the merchant's settings (is a signature
// required?). The read is answered from a per-process cache that the trading_settings_changed
// notifications keep exact (migrations/0062_r_status_read_notify.sql): an operator's or merchant's
// change, from any process or by SQL, drops the merchant's entry within a notification's latency, and
// this process reads its own change back at once (tradingSettingsChanging). A merchant without
// settings is cached too (as null): inserting its settings announces it.
import { type MaybeAsync, thenMaybe } from "../../core/shared/maybe-async.js";
import { findTradingSettings, type TradingSettingsRow } from "../../db/trading/settings.js";
import { perDatabaseCache } from "../cache/change-notified-cache.js";
import type { Deps } from "../deps.js";

const settingsCache = perDatabaseCache<{ row: TradingSettingsRow | null }>({ channel: "trading_settings_changed", maxEntries: 10_000, ttlMs: 60_000 });

/** The trading routes start it; workers do not. */
export function startTradingSettingsCache(deps: Deps): void {
  settingsCache.start(deps.database);
}

/** The merchant's settings row, null when it has none. The row is shared: never modify it. */
export function readTradingSettingsRow(deps: Deps, merchantId: string): MaybeAsync<TradingSettingsRow | null> {
  const cached = settingsCache.read(deps.database, merchantId, async () => ({ row: (await findTradingSettings(deps.database.db, merchantId)) ?? null }));
  return thenMaybe(cached, (c) => c!.row);
}

/** Every write of a merchant's settings calls this in its transaction. */
export function tradingSettingsChanging(deps: Deps, merchantId: string): void {
  settingsCache.changingNow(deps.database, merchantId);
}
