// Trader withdrawals over /trader/v1 (x-trader-key), on the sandbox chain: only the free part of the
// deposit can leave, never what open pay-ins hold; the same allow-list, cooling-off and states as a
// merchant's, with the operator's approval above the threshold (rejected or failed: back to the deposit);
// another trader's (and a merchant's view of it) is 404. The harness verifies the ledger.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { SANDBOX_FAILING_ADDRESSES } from "../../src/adapters/chain/sandbox-chain.js";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { fundTraderDeposit, traderDepositBalance } from "../../src/app/trading/ledger-postings.js";
import { createTrader } from "../../src/app/trading/traders.js";
import { createHarness, type Harness } from "../support/harness.js";
import { advanceAndDrain, drain } from "../support/intents.js";
import { jsonCall, operatorHeader } from "../support/json-call.js";
import { createPayinOverHttp, setupTrading, type TradingFixture, useFixedRate } from "../support/trading.js";

const DAY_MS = 24 * 3_600_000;
let h: Harness;
let fx: TradingFixture;
/** Trader 0 has the requisite (so the pay-ins); trader 1 has only a deposit. */
let traders: { traderId: string; traderKey: string }[];

const trader = (i: number) => traders[i]!;
const call = (method: "GET" | "POST" | "DELETE", url: string, body?: unknown, i = 0) => jsonCall(h.app, method, url, { "x-trader-key": trader(i).traderKey }, body);

before(async () => {
  h = await createHarness({
    env: { RAMPART_WITHDRAWAL_COOLING_OFF_HOURS: "24", RAMPART_WITHDRAWAL_FEES: "USDT=1", RAMPART_WITHDRAWAL_APPROVAL_ABOVE: "USDT=100" },
    tweak: (deps) => useFixedRate(deps, "100"),
  });
  fx = await setupTrading(h.deps, { depositMinor: 100_000_000n }); // 100 USDT
  const second = await createTrader(h.deps, "Trader without requisites");
  await fundTraderDeposit(h.deps, second.traderId, 100_000_000n, `test:fund:${second.traderId}`);
  traders = [fx.traders[0]!, second];
});
after(async () => {
  await h?.close();
});

test("the trader API needs the trader's key", async () => {
  for (const [method, url] of [
    ["GET", "/trader/v1/withdrawals"],
    ["POST", "/trader/v1/withdrawals"],
    ["GET", "/trader/v1/withdrawal-addresses"],
  ] as const) {
    const res = await jsonCall(h.app, method, url, { "x-trader-key": "nope" }, method === "POST" ? {} : undefined);
    assert.equal(res.status, 401, `${method} ${url}`);
  }
  const merchantKey = await jsonCall(h.app, "GET", "/trader/v1/withdrawals", { "x-api-key": fx.merchant.apiKey });
  assert.equal(merchantKey.status, 401, "a merchant key is not a trader key");
});

test("only the free part of the deposit can be withdrawn: what an open pay-in holds stays", async () => {
  const added = await call("POST", "/trader/v1/withdrawal-addresses", { network: "trc20", address: "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t" });
  assert.equal(added.status, 201, added.text);
  h.clock.advance(DAY_MS);
  // A 5,000 RUB pay-in at 100 RUB/USDT holds 50 USDT of the trader's deposit.
  await createPayinOverHttp(h.app, fx.merchant.apiKey, 5000);
  const held = await traderDepositBalance(h.deps, trader(0).traderId);
  assert.equal(held.pendingDebits, 50_000_000n);
  assert.equal(held.available, 50_000_000n);

  const tooMuch = await call("POST", "/trader/v1/withdrawals", { addressId: added.json.id, asset: "USDT", amount: "49.5" });
  assert.equal(tooMuch.status, 422, tooMuch.text);
  assert.equal(tooMuch.json.error, "withdrawal_insufficient_balance", "49.5 + 1 fee is more than the 50 free");

  const res = await call("POST", "/trader/v1/withdrawals", { addressId: added.json.id, asset: "USDT", amount: "49" });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.json.status, "approved");
  assert.equal(res.json.traderId, trader(0).traderId);
  assert.equal(res.json.merchantId, null);
  const after = await traderDepositBalance(h.deps, trader(0).traderId);
  assert.equal(after.available, 0n);
  assert.equal(after.pendingDebits, 50_000_000n, "the pay-in's hold is untouched");

  await drain(h);
  await advanceAndDrain(h, 1000, 5);
  const done = await call("GET", `/trader/v1/withdrawals/${res.json.id}`);
  assert.equal(done.json.status, "confirmed");
  assert.equal((await traderDepositBalance(h.deps, trader(0).traderId)).pendingDebits, 50_000_000n);

  // Another trader, and the merchant API, do not see it.
  assert.equal((await call("GET", `/trader/v1/withdrawals/${res.json.id}`, undefined, 1)).status, 404);
  assert.equal((await call("GET", "/trader/v1/withdrawals", undefined, 1)).json.items.length, 0);
  assert.equal((await call("GET", "/trader/v1/withdrawal-addresses", undefined, 1)).json.items.length, 0);
  assert.equal((await jsonCall(h.app, "GET", `/merchant/v1/withdrawals/${res.json.id}`, { "x-api-key": fx.merchant.apiKey })).status, 404);
  const mine = await call("GET", "/trader/v1/withdrawals");
  assert.deepEqual(mine.json.items.map((w: { id: string }) => w.id), [res.json.id]);
});

test("a trader's address cools off like a merchant's, and the same address may be listed by a merchant too", async () => {
  const address = "0x52908400098527886E0F7030069857D2E4169EE7";
  const added = await call("POST", "/trader/v1/withdrawal-addresses", { network: "erc20", address }, 1);
  assert.equal(added.status, 201, added.text);
  const merchant = await jsonCall(h.app, "POST", "/merchant/v1/withdrawal-addresses", { "x-api-key": fx.merchant.apiKey }, { network: "erc20", address });
  assert.equal(merchant.status, 201, merchant.text);
  const again = await call("POST", "/trader/v1/withdrawal-addresses", { network: "erc20", address }, 1);
  assert.equal(again.json.error, "withdrawal_address_exists");
  const early = await call("POST", "/trader/v1/withdrawals", { addressId: added.json.id, asset: "USDT", amount: "1" }, 1);
  assert.equal(early.status, 409);
  assert.equal(early.json.error, "withdrawal_address_cooling_off");
  const merchantUsesTraders = await jsonCall(h.app, "POST", "/merchant/v1/withdrawals", { "x-api-key": fx.merchant.apiKey }, { addressId: added.json.id, asset: "USDT", amount: "1" });
  assert.equal(merchantUsesTraders.json.error, "withdrawal_address_not_allowed", "a trader's address is not the merchant's");
});

test("above the threshold a trader's withdrawal waits for an operator: rejected or failed, amount and fee return to the deposit; approved, it is paid", async () => {
  const i = 1;
  await fundTraderDeposit(h.deps, trader(i).traderId, 300_000_000n, `test:fund-more:${trader(i).traderId}`);
  const op = await createOperatorKey(h.deps, "trader-withdrawals");
  const admin = (url: string, body?: unknown) => jsonCall(h.app, "POST", url, operatorHeader(op), body ?? {});
  const free = async () => (await traderDepositBalance(h.deps, trader(i).traderId)).available;
  const address = (await call("POST", "/trader/v1/withdrawal-addresses", { network: "trc20", address: "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t" }, i)).json.id;
  const failing = (await call("POST", "/trader/v1/withdrawal-addresses", { network: "trc20", address: SANDBOX_FAILING_ADDRESSES[0] }, i)).json.id;
  h.clock.advance(DAY_MS);
  const before = await free();

  const big = await call("POST", "/trader/v1/withdrawals", { addressId: address, asset: "USDT", amount: "150" }, i);
  assert.equal(big.status, 201, big.text);
  assert.equal(big.json.status, "requested");
  assert.equal(big.json.needsApproval, true);
  await drain(h);
  assert.equal((await call("GET", `/trader/v1/withdrawals/${big.json.id}`, undefined, i)).json.status, "requested", "nothing sent without approval");
  assert.equal(await free(), before - 151_000_000n, "amount + fee held");
  const rejected = await admin(`/admin/v1/withdrawals/${big.json.id}/reject`, { reason: "not expected" });
  assert.equal(rejected.json.status, "rejected", rejected.text);
  assert.equal(await free(), before, "rejected: back to the deposit");

  const failed = await call("POST", "/trader/v1/withdrawals", { addressId: failing, asset: "USDT", amount: "5" }, i);
  assert.equal(failed.json.status, "approved", failed.text);
  await drain(h);
  assert.equal((await call("GET", `/trader/v1/withdrawals/${failed.json.id}`, undefined, i)).json.status, "failed");
  assert.equal(await free(), before, "failed: back to the deposit");

  const paid = await call("POST", "/trader/v1/withdrawals", { addressId: address, asset: "USDT", amount: "120" }, i);
  assert.equal(paid.json.status, "requested", paid.text);
  assert.equal((await admin(`/admin/v1/withdrawals/${paid.json.id}/approve`)).json.status, "approved");
  await drain(h);
  await advanceAndDrain(h, 1000, 5);
  assert.equal((await call("GET", `/trader/v1/withdrawals/${paid.json.id}`, undefined, i)).json.status, "confirmed");
  assert.equal(await free(), before - 121_000_000n);
  const again = await admin(`/admin/v1/withdrawals/${paid.json.id}/reject`);
  assert.equal(again.status, 409);
  assert.equal(again.json.currentStatus, "confirmed");
});
