// Every merchant API request looks up its key. The lookup is answered from a per-process cache that
// the api_key_changed notifications keep exact (migrations/0013_api_key_notify.sql): a revocation,
// from any process or an operator's SQL, drops the key in every process within a notification's
// latency, and at once in the process that makes it. The presented key is still compared with the
// stored hash on every request (authenticate.ts).
import type { MaybeAsync } from "../../core/shared/maybe-async.js";
import { findActiveApiKey } from "../../db/credentials.js";
import { perDatabaseCache } from "../cache/change-notified-cache.js";
import type { Deps } from "../deps.js";

type ActiveApiKey = NonNullable<Awaited<ReturnType<typeof findActiveApiKey>>>;

export const API_KEY_CHANNEL = "api_key_changed";
const keyCache = perDatabaseCache<ActiveApiKey>({ channel: API_KEY_CHANNEL, maxEntries: 10_000, ttlMs: 60_000 });

/** The routes that authenticate merchant keys start it; workers do not. */
export function startApiKeyCache(deps: Deps): void {
  keyCache.start(deps.database);
}

/** The key's row while it is active; undefined for an unknown or revoked key. */
export function readActiveApiKey(deps: Deps, id: string): MaybeAsync<ActiveApiKey | undefined> {
  return keyCache.read(deps.database, id, () => findActiveApiKey(deps.database.db, id));
}

/** Called by every change to a key, before it commits. */
export function apiKeyChanging(deps: Deps, id: string): void {
  keyCache.changingNow(deps.database, id);
}
