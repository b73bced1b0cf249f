// A pay-in create that names a method or a bank checks it against the operator's catalogue. The
// answer "usable" is kept per process (issue 16: two round trips of every such create), exact across
// processes by the trading_method_changed / trading_bank_changed notifications
// (migrations/0082_k_trading_catalogue_notify.sql): a method or bank switched off or removed anywhere
// drops its entry, and this process's own catalogue writes drop it at once (the *Changing calls).
// Only usable codes are cached, so the refusals always read the database and no request's made-up code
// takes a place in memory. Even a stale "usable" lets no pay-in through: the requisite pick joins only
// enabled methods and banks (db/trading/requisites.ts); it would answer no_requisite_available instead.
import { AppError } from "../../core/shared/errors.js";
import { findMethod } from "../../db/trading/methods.js";
import { findBank } from "../../db/trading/traders.js";
import { perDatabaseCache } from "../cache/change-notified-cache.js";
import type { Deps } from "../deps.js";

const methods = perDatabaseCache<true>({ channel: "trading_method_changed", maxEntries: 1_000, ttlMs: 60_000 });
const banks = perDatabaseCache<true>({ channel: "trading_bank_changed", maxEntries: 1_000, ttlMs: 60_000 });

/** The trading routes start it; workers do not. */
export function startTradingCatalogueCache(deps: Deps): void {
  methods.start(deps.database);
  banks.start(deps.database);
}

/** A pay-in's `method`: known and switched on, or the error the dialect answers (unknown: 400, off: 403). */
export async function requireUsableMethod(deps: Deps, code: string): Promise<void> {
  await methods.read(deps.database, code, async () => {
    const m = await findMethod(deps.database.db, code);
    if (!m) throw new AppError("validation_failed", { field: "method", message: `Unknown method "${code}"; GET /admin/v1/trading/methods lists the catalogue` });
    if (!m.enabled) throw new AppError("method_not_available", { field: "method", details: { method: code } });
    return true;
  });
}

/** A pay-in's `bank`: in the catalogue and switched on, else 403 bank_not_available. */
export async function requireUsableBank(deps: Deps, code: string): Promise<void> {
  await banks.read(deps.database, code, async () => {
    if (!(await findBank(deps.database.db, code))) throw new AppError("bank_not_available", { field: "bank" });
    return true;
  });
}

/** Every write of a method calls this in its transaction. */
export function tradingMethodChanging(deps: Deps, code: string): void {
  methods.changingNow(deps.database, code);
}

/** Every write of an existing bank calls this in its transaction. */
export function tradingBankChanging(deps: Deps, code: string): void {
  banks.changingNow(deps.database, code);
}
