// `rampart customer erase` as an operator runs it (a separate process, bin/rampart.js): --help, bad
// arguments (exit 2). The use case it runs is tested on both databases in customer-erasure.test.ts.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { INTENT_RATES_ENV, configureStore } from "../support/intents.js";
import { runCli } from "../support/run-cli.js";

let h: Harness;
let M: MerchantFixture;

before(async () => {
  h = await createHarness({ env: INTENT_RATES_ENV });
  M = await createMerchant(h.deps);
  await configureStore(h, M.storeId);
});
after(async () => {
  await h?.close();
});

test("rampart customer --help and bad arguments need no database", async () => {
  const help = await runCli(["customer", "--help"], {});
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /Usage: rampart customer erase --store <store-id> --email <e-mail>/);
  assert.match(help.stdout, /--payer-user-id/);
  for (const args of [["customer", "erase", "--email", "a@b.example"], ["customer", "erase", "--card-customer", "nope"]]) {
    const bad = await runCli(args, {});
    assert.equal(bad.code, 2, `${args.join(" ")}: ${bad.stdout}${bad.stderr}`);
  }
});
