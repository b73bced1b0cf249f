// The step-up amounts (core/staff/step-up.ts, RAMPART_STEP_UP_AMOUNT): a default and per-currency
// amounts, compared exactly whatever the scales, strictly above; a malformed value is a config error.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, loadConfig } from "../../src/config/config.js";
import { needsStepUp } from "../../src/core/staff/step-up.js";

test("a bare amount applies to every currency, CODE=amount to one; strictly above, exactly", () => {
  const a = loadConfig({ RAMPART_STEP_UP_AMOUNT: "1000, RUB=100000.50,USDT=2000" }).stepUpAmounts;
  assert.equal(needsStepUp(a, "1000.00", "EUR"), false);
  assert.equal(needsStepUp(a, "1000.01", "EUR"), true);
  assert.equal(needsStepUp(a, "100000.50", "RUB"), false);
  assert.equal(needsStepUp(a, "100000.51", "RUB"), true);
  assert.equal(needsStepUp(a, "2000.000001", "usdt"), true);
  const perCurrencyOnly = loadConfig({ RAMPART_STEP_UP_AMOUNT: "RUB=5000" }).stepUpAmounts;
  assert.equal(needsStepUp(perCurrencyOnly, "999999", "EUR"), false, "a currency not named, without a default, needs none");
});

test("RAMPART_STEP_UP_AMOUNT: off when unset; a malformed item is a config error naming it", () => {
  assert.deepEqual(loadConfig({}).stepUpAmounts, { default: null, byCurrency: {} });
  assert.equal(loadConfig({ RAMPART_STEP_UP_AMOUNT: "EUR=250" }).stepUpAmounts.byCurrency.EUR?.text, "250");
  for (const bad of ["-5", "EUR:10", "1e5", "eur=10"]) assert.throws(() => loadConfig({ RAMPART_STEP_UP_AMOUNT: bad }), ConfigError);
});
