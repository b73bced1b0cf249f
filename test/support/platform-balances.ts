// The platform's own ledger accounts, live (`platform`) or test mode's (`platform:test`), read straight
// from the balance rows: tests of test mode assert that play money never moves a live one.
import type { Deps } from "../../src/app/deps.js";

/** Posted balance per "asset purpose" of one platform owner's accounts. */
export async function platformBalances(deps: Deps, owner: "platform" | "platform:test"): Promise<Record<string, string>> {
  const rows = await deps.database.db
    .selectFrom("ledger_accounts as a")
    .innerJoin("ledger_account_balances as b", "b.account_id", "a.id")
    .select(["a.asset", "a.purpose", "b.posted"])
    .where("a.owner", "=", owner)
    .execute();
  return Object.fromEntries(rows.map((r) => [`${r.asset} ${r.purpose}`, String(r.posted)]));
}
