// Every /v3 call but sign-in checks its bearer session (open, and the customer's KYC level). The check
// is answered from a per-process cache that the card_customer_changed notifications keep exact
// (migrations/0011_card_session_notify.sql): a sign-out or a KYC level change drops the customer's
// entries in every process within a notification's latency, and at once in the process that made it.
import type { MaybeAsync } from "../../core/shared/maybe-async.js";
import { findSessionCustomer } from "../../db/card/customers.js";
import { perDatabaseCache } from "../cache/change-notified-cache.js";
import type { Deps } from "../deps.js";

type SessionCustomer = NonNullable<Awaited<ReturnType<typeof findSessionCustomer>>>;

const sessionCache = perDatabaseCache<SessionCustomer>({ channel: "card_customer_changed", maxEntries: 100_000, ttlMs: 60_000 });

/** The card routes start it; workers do not. */
export function startCardSessionCache(deps: Deps): void {
  sessionCache.start(deps.database);
}

/** The open session's customer; undefined for a revoked or unknown session. */
export function readSessionCustomer(deps: Deps, sessionId: string, customerId: string): MaybeAsync<SessionCustomer | undefined> {
  return sessionCache.read(deps.database, `${sessionId}:${customerId}`, () => findSessionCustomer(deps.database.db, sessionId, customerId), customerId);
}

/** Called by every change to a customer's sessions or KYC level, before it commits. */
export function cardCustomerChanging(deps: Deps, customerId: string): void {
  sessionCache.changingNow(deps.database, customerId);
}
