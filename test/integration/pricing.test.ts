import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { loadPair, pairTerms } from "../../src/app/pricing/pairs.js";
import { quoteFor } from "../../src/app/pricing/price.js";
import { sandboxCredentials } from "../../src/app/sandbox/sandbox-credentials.js";
import { seedPricing } from "../../src/app/sandbox/seed-pricing.js";
import { AppError } from "../../src/core/shared/errors.js";
import { createHarness, type Harness, TEST_SECRET_KEY } from "../support/harness.js";

const RATES = { RAMPART_RATES: "fixed", RAMPART_FIXED_RATES: "EUR/USDT=0.93,RUB/USDT=99.12,EUR/BTC=60000,EUR/ETH=3000,USD/USDT=1,KZT/USDT=505" };
const creds = sandboxCredentials(TEST_SECRET_KEY);

async function rejects(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => err instanceof AppError && err.code === code);
}

describe("pricing", () => {
  let h: Harness;
  before(async () => {
    h = await createHarness({ env: RATES });
    await seedPricing(h.deps, creds);
    await seedPricing(h.deps, creds); // idempotent
  });
  after(async () => {
    await h.close();
  });

  test("the sandbox pairs are stored once with their assets", async () => {
    const ids = (await h.deps.database.db.selectFrom("pairs").select("id").orderBy("id").execute()).map((r) => r.id);
    assert.deepEqual(ids, ["EUR-BTC-bitcoin", "EUR-ETH-ethereum", "EUR-USDT-erc20", "EUR-USDT-trc20", "KZT-USDT-trc20", "RUB-USDT-trc20", "USD-USDT-trc20"]);
    const p = await loadPair(h.deps, { fiat: "eur", crypto: "usdt", network: "TRC20" });
    assert.equal(p.asset.decimals, 6);
    assert.equal(p.fiatScale, 2);
    assert.deepEqual(p.pair.limits, { card: { minMinor: 1000n, maxMinor: 500000n }, sepa: { minMinor: 1000n, maxMinor: 2000000n } });
    assert.deepEqual(p.pair.fees, { percentBps: 150, fixedMinor: 25n, tiers: [{ fromMinor: 100000n, percentBps: 100, fixedMinor: 0n }] });
    assert.equal(p.pair.networkFeeMinor, 1_000_000n);
    const eth = await loadPair(h.deps, { fiat: "EUR", crypto: "ETH", network: "ethereum" });
    assert.equal(eth.pair.networkFeeMinor, 10n ** 15n);
    assert.equal(pairTerms(p, "sepa").limits.maxFiatMinor, 2000000n);
    assert.throws(() => pairTerms(p, "sbp"), (e: unknown) => e instanceof AppError && e.code === "pair_unavailable");
    await rejects(loadPair(h.deps, { fiat: "GBP", crypto: "USDT", network: "trc20" }), "pair_unavailable");
    await rejects(loadPair(h.deps, { fiat: "EUR", crypto: "USDT", network: "bitcoin" }), "pair_unavailable");
  });

  test("a fiat quote: fee up, crypto down, network fee deducted, with its rate source", async () => {
    const q = await quoteFor(h.deps, { fiat: "EUR", crypto: "USDT", network: "trc20", method: "card", fiatMinor: 10000n });
    // fee = ceil(100.00 × 1.5%) + 0.25 = 1.75; (98.25 / (0.93 × 1.005)) floored to 6 dp = 105.119563; − 1 network fee.
    assert.equal(q.fiatMinor, 10000n);
    assert.equal(q.cryptoMinor, 104_119_563n);
    assert.deepEqual(q.fees, [
      { name: "processing", currency: "EUR", amountMinor: 175n },
      { name: "network", currency: "USDT", amountMinor: 1_000_000n },
    ]);
    assert.equal(q.midRate, "0.93");
    assert.equal(q.rateSource, "fixed");
  });

  test("a crypto quote asks for the smallest fiat that delivers it; fiat wins when both are given", async () => {
    const q = await quoteFor(h.deps, { fiat: "RUB", crypto: "USDT", network: "trc20", method: "sbp", cryptoMinor: 50_000_000n });
    assert.ok(q.cryptoMinor >= 50_000_000n);
    const less = await quoteFor(h.deps, { fiat: "RUB", crypto: "USDT", network: "trc20", method: "sbp", fiatMinor: q.fiatMinor - 1n });
    assert.ok(less.cryptoMinor < 50_000_000n);
    const both = await quoteFor(h.deps, { fiat: "RUB", crypto: "USDT", network: "trc20", method: "sbp", fiatMinor: q.fiatMinor, cryptoMinor: 1n });
    assert.equal(both.cryptoMinor, q.cryptoMinor);
  });

  test("limits per method, disabled pairs and missing rates are refused", async () => {
    await rejects(quoteFor(h.deps, { fiat: "EUR", crypto: "USDT", network: "trc20", method: "card", fiatMinor: 999n }), "amount_below_minimum");
    await rejects(quoteFor(h.deps, { fiat: "EUR", crypto: "USDT", network: "trc20", method: "card", fiatMinor: 500001n }), "amount_above_maximum");
    const sepa = await quoteFor(h.deps, { fiat: "EUR", crypto: "USDT", network: "trc20", method: "sepa", fiatMinor: 500001n });
    assert.equal(sepa.fees[0]!.amountMinor, 5001n, "the 1000 EUR tier: 1%, no fixed fee, rounded up");
    await rejects(quoteFor(h.deps, { fiat: "EUR", crypto: "USDT", network: "trc20", method: "wire", fiatMinor: 5000n }), "pair_unavailable");
    await sql`UPDATE pairs SET enabled = false WHERE id = 'KZT-USDT-trc20'`.execute(h.deps.database.db);
    await rejects(quoteFor(h.deps, { fiat: "KZT", crypto: "USDT", network: "trc20", method: "card", fiatMinor: 1_000_000n }), "pair_unavailable");
    await sql`INSERT INTO pairs (id, fiat, crypto, network, limits, spread_bps, fees, network_fee_minor)
              VALUES ('GBP-USDT-trc20', 'GBP', 'USDT', 'trc20', '{"card":{"minMinor":"100","maxMinor":"100000"}}', 0, '{"percentBps":0,"fixedMinor":"0"}', 0)`.execute(h.deps.database.db);
    await rejects(quoteFor(h.deps, { fiat: "GBP", crypto: "USDT", network: "trc20", method: "card", fiatMinor: 1000n }), "rate_unavailable");
  });
});

test("RAMPART_PAIRS_FILE overrides a stored pair", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-pairs-"));
  const file = path.join(dir, "pairs.json");
  fs.writeFileSync(file, JSON.stringify([{ fiat: "EUR", crypto: "USDT", network: "trc20", methods: { card: { min: "1", max: "100" } }, spreadBps: 0, fee: { percentBps: 0 }, networkFee: "0" }]));
  const h = await createHarness({ env: { ...RATES, RAMPART_PAIRS_FILE: file } });
  try {
    await seedPricing(h.deps, creds);
    const p = await loadPair(h.deps, { fiat: "EUR", crypto: "USDT", network: "trc20" });
    assert.deepEqual(p.pair.limits, { card: { minMinor: 100n, maxMinor: 10000n } });
    const q = await quoteFor(h.deps, { fiat: "EUR", crypto: "USDT", network: "trc20", method: "card", fiatMinor: 9300n });
    assert.equal(q.cryptoMinor, 100_000_000n, "no spread, no fees: 93.00 EUR at 0.93 = 100 USDT");
    // Pairs the file does not name still come from the table.
    assert.equal((await loadPair(h.deps, { fiat: "RUB", crypto: "USDT", network: "trc20" })).pair.spreadBps, 100);
  } finally {
    await h.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
