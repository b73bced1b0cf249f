// GET /payment/intent/{id}/status is what merchants poll. It is answered from a per-process cache that
// the intent_changed notifications keep exact (migrations/0009_intent_change_notify.sql): any
// committed change to an intent, from any process, drops its entry within a notification's latency,
// and this process's own changes are read back from the database until theirs arrives.
import { AppError } from "../../core/shared/errors.js";
import type { Database } from "../../db/connect.js";
import { findIntentStatusRow, type IntentStatusRow } from "../../db/intents/intents.js";
import { ChangeNotifiedCache } from "../cache/change-notified-cache.js";
import type { Deps } from "../deps.js";

const STATUS_CACHE = { channel: "intent_changed", maxEntries: 100_000, ttlMs: 60_000 };
const caches = new WeakMap<Database, ChangeNotifiedCache<IntentStatusRow>>();

/**
 * The API process starts the cache with its routes, so it listens before the first request; worker
 * processes never read statuses and open no listening session.
 */
export function startIntentStatusCache(deps: Deps): void {
  if (!caches.has(deps.database)) caches.set(deps.database, new ChangeNotifiedCache<IntentStatusRow>(deps.database, STATUS_CACHE));
}

/** Another merchant's intent is not found, exactly as an unknown id. */
export async function readIntentStatus(deps: Deps, merchantId: string, id: string): Promise<IntentStatusRow> {
  const load = () => findIntentStatusRow(deps.database.db, id);
  const cache = caches.get(deps.database);
  const row = await (cache ? cache.read(id, load) : load());
  if (!row || row.merchant_id !== merchantId) throw new AppError("not_found", { message: "No such payment intent" });
  return row;
}

/** Every intent change calls this in its transaction (transitionIntent). */
export function intentChanging(deps: Deps, id: string): void {
  caches.get(deps.database)?.changingNow(id);
}
