// After full card flows (approval, 3-D Secure, provider error + sync), neither the PAN nor the CVV
// appears anywhere in the database (every table's rows as JSON text) or in the captured logs.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import { BILLING, CARD_TEST_ENV, registerCustomer, seedCardPairs } from "../support/card-customer.js";
import { createMerchant } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { drainWorker } from "../support/trading.js";

let h: Harness;
before(async () => {
  h = await createHarness({ env: { ...CARD_TEST_ENV, LOG_LEVEL: "trace" } });
});
after(async () => h?.close());

const CVV = "7319";
const PANS = ["4242424242424242", "4000000000003220", "4000000000000119"];

async function databaseText(): Promise<string> {
  const tables = await sql<{ table_name: string }>`
    SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`.execute(h.deps.database.db);
  const parts: string[] = [];
  for (const { table_name } of tables.rows) {
    const rows = await sql<{ j: string }>`SELECT row_to_json(t)::text AS j FROM ${sql.table(table_name)} t`.execute(h.deps.database.db);
    parts.push(`== ${table_name}`, ...rows.rows.map((r) => r.j));
  }
  return parts.join("\n");
}

/**
 * The CVV as a value of its own: not inside a longer run of letters or digits (base64, hex) and not a
 * dash-delimited group of a UUID, where four random hex digits can spell it by chance.
 */
const cvvPattern = new RegExp(`(?<![0-9A-Za-z-])${CVV}(?![0-9A-Za-z-])`);

test("no PAN and no CVV in the database dump or the logs after full card flows", async () => {
  const { merchantId } = await createMerchant(h.deps);
  await seedCardPairs(h.deps);
  const who = await registerCustomer(h.app, merchantId);
  for (const [i, pan] of PANS.entries()) {
    const add = await h.app.inject({
      method: "POST",
      url: "/v3/payin/card",
      headers: who.headers,
      payload: { cardNumber: i === 0 ? Number(pan) : pan, cardHolder: "ADA LOVELACE", cardExpirationYear: 2030, cardExpirationMonth: 12, billingAddress: BILLING },
    });
    assert.equal(add.statusCode, 200);
    const card = (await h.app.inject({ method: "GET", url: "/v3/payin/data", headers: who.headers })).json().cards.find((c: { maskedPan: string }) => c.maskedPan.endsWith(pan.slice(-4)));
    const offer = (await h.app.inject({ method: "POST", url: "/v3/payin/offer", headers: { ...who.headers, "idempotency-key": `offer-${i}` }, payload: { cardId: card.cardId, fromCurrency: "EUR", amount: 100, toCurrency: "USDT" } })).json();
    const pay = await h.app.inject({ method: "POST", url: `/v3/payin/pay/${offer.offerId}`, headers: { ...who.headers, "idempotency-key": `pay-${i}` }, payload: { cardCVV: CVV, successUrl: "https://merchant.example/ok" } });
    assert.equal(pay.statusCode, 200, pay.body);
    if (pay.json().authLink) {
      const token = String(pay.json().authLink).split("/3ds/")[1];
      assert.equal((await h.app.inject({ method: "POST", url: `/3ds/${token}/approve`, headers: { "content-type": "application/x-www-form-urlencoded" }, payload: "" })).statusCode, 303);
    }
  }
  h.clock.advance(10 * 60_000);
  await drainWorker(h.deps);
  // A bad card number is refused without being logged either.
  await h.app.inject({ method: "POST", url: "/v3/payin/card", headers: who.headers, payload: { cardNumber: "4242424242424241", cardHolder: "X", cardExpirationYear: 2030, cardExpirationMonth: 12, billingAddress: BILLING } });

  const dump = await databaseText();
  assert.ok(dump.includes("== card_cards") && dump.includes("424242"), "the dump covers the vault (BIN is allowed)");
  const logs = h.logs.text;
  assert.ok(logs.length > 0, "logs were captured");
  for (const pan of [...PANS, "4242424242424241"]) {
    assert.ok(!dump.includes(pan), `PAN ${pan.slice(0, 6)}… found in the database`);
    assert.ok(!logs.includes(pan), `PAN ${pan.slice(0, 6)}… found in the logs`);
    assert.ok(!dump.includes(pan.slice(6)), "no run of digits past the BIN is stored");
  }
  assert.ok(!cvvPattern.test(dump), "CVV found in the database");
  assert.ok(!cvvPattern.test(logs), "CVV found in the logs");
});
