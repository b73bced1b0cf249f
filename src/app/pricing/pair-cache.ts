// Pricing reads the pair with its asset on every intent create and quote. Outside a transaction the
// read is answered from a per-process cache that the pricing_pair_changed notifications keep exact
// (migrations/0083_n_intent_create_reads_notify.sql): any committed change to a pair or an asset,
// from any process or by SQL, drops every entry on its network within a notification's latency, so a
// disabled or deleted pair is refused at once. Pairs and assets are written by operators and the seed
// only, never by a request this process serves. An unknown pair is not cached.
import { findPairWithAsset } from "../../db/pricing/pricing-store.js";
import { perDatabaseCache } from "../cache/change-notified-cache.js";
import type { Deps } from "../deps.js";

type PairWithAsset = NonNullable<Awaited<ReturnType<typeof findPairWithAsset>>>;

const pairCache = perDatabaseCache<PairWithAsset>({ channel: "pricing_pair_changed", maxEntries: 10_000, ttlMs: 60_000 });

/** The intent routes start it; workers do not. */
export function startPairCache(deps: Deps): void {
  pairCache.start(deps.database);
}

/** findPairWithAsset through the cache (names as stored: fiat and crypto upper case, network lower). The value is shared: never modify it. */
export async function readPairWithAsset(deps: Deps, fiat: string, crypto: string, network: string): Promise<PairWithAsset | null> {
  const cached = await pairCache.read(deps.database, `${fiat}/${crypto}/${network}`, async () => (await findPairWithAsset(deps.database.db, fiat, crypto, network)) ?? undefined, network);
  return cached ?? null;
}
