// Every intent create reads its store with the store's settings (owner and configuration decide the
// request's own 4xx). The read is answered from a per-process cache that the intent_store_changed
// notifications keep exact (migrations/0083_n_intent_create_reads_notify.sql): a change to the store's
// owner, its deletion, or any change to its settings, from any process or by SQL, drops the entry
// within a notification's latency, and this process reads its own change back at once
// (intentStoreChanging). A store without settings is cached too: inserting them announces it.
import type { MaybeAsync } from "../../core/shared/maybe-async.js";
import { findStoreWithSettings } from "../../db/intents/intents.js";
import { perDatabaseCache } from "../cache/change-notified-cache.js";
import type { Deps } from "../deps.js";

type StoreWithSettings = NonNullable<Awaited<ReturnType<typeof findStoreWithSettings>>>;

const storeCache = perDatabaseCache<StoreWithSettings>({ channel: "intent_store_changed", maxEntries: 10_000, ttlMs: 60_000 });

/** The intent routes start it; workers do not. */
export function startIntentStoreCache(deps: Deps): void {
  storeCache.start(deps.database);
}

/** The store's owner and settings, undefined for an unknown store. The value is shared: never modify it. */
export function readStoreWithSettings(deps: Deps, storeId: string): MaybeAsync<StoreWithSettings | undefined> {
  return storeCache.read(deps.database, storeId, () => findStoreWithSettings(deps.database.db, storeId));
}

/** Every write of a store's intent settings calls this in its transaction. */
export function intentStoreChanging(deps: Deps, storeId: string): void {
  storeCache.changingNow(deps.database, storeId);
}
