// The console's and portal's lock-out check (the counters are the card customers': db/card/customers.ts).
import { AppError } from "../../core/shared/errors.js";
import { lockedUntil } from "../../db/card/customers.js";
import type { Db } from "../../db/schema.js";
import { retryAfter } from "../card/customer-auth.js";
import type { Deps } from "../deps.js";

/** too_many_attempts while either key is locked; `db` is the caller's transaction when it holds the person's row lock. */
export async function refuseIfLocked(deps: Deps, keys: { account: string; accountIp: string }, db: Db = deps.database.db): Promise<void> {
  const now = deps.clock.now();
  const locked = await lockedUntil(db, [keys.account, keys.accountIp], now);
  if (locked) {
    throw new AppError("too_many_attempts", {
      message: `Too many failed sign-ins for this account: try again after ${locked.toISOString().slice(11, 16)} UTC.`,
      headers: retryAfter(locked, now),
    });
  }
}
