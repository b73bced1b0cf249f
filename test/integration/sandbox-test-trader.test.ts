// The sandbox seed's test trader (issue 19): made once with its requisites and a deposit funded from
// the test platform (never the live one), so a merchant's test key has a trader to pay in on.
import assert from "node:assert/strict";
import { test } from "node:test";
import { getBalance } from "../../src/app/ledger/ledger.js";
import { seedSandbox } from "../../src/app/sandbox/seed.js";
import { SANDBOX_TEST_TRADER_ID } from "../../src/app/sandbox/seed-trading.js";
import { TRADING_CRYPTO } from "../../src/app/trading/amounts.js";
import { traderDepositBalance } from "../../src/app/trading/ledger-postings.js";
import { platformAccount } from "../../src/core/ledger/accounts.js";
import { createHarness } from "../support/harness.js";
import { verifyLedgerClean } from "../support/trading.js";

test("the seed makes one funded test trader with requisites, from the test platform, and a second run changes nothing", async () => {
  const h = await createHarness();
  try {
    await seedSandbox(h.deps);
    await seedSandbox(h.deps);
    const db = h.deps.database.db;
    const trader = await db.selectFrom("traders").select(["test", "enabled"]).where("id", "=", SANDBOX_TEST_TRADER_ID).executeTakeFirstOrThrow();
    assert.deepEqual(trader, { test: true, enabled: true });
    const requisites = await db.selectFrom("trading_requisites").select("id").where("trader_id", "=", SANDBOX_TEST_TRADER_ID).execute();
    assert.equal(requisites.length, 2);
    const deposit = (await traderDepositBalance(h.deps, SANDBOX_TEST_TRADER_ID)).available;
    assert.equal(deposit, 100_000_000_000n);
    const funding = async (owner: string) => (await getBalance(db, platformAccount(owner, TRADING_CRYPTO.asset, "platform_funding"))).available;
    assert.equal(await funding("platform:test"), -deposit, "the test platform alone funds it");
    assert.equal(await funding("platform"), -5n * deposit, "the live platform funds the five live traders only");
    await verifyLedgerClean(h.deps);
  } finally {
    await h.close();
  }
});
