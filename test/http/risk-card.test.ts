// The risk engine on the card dialect (issue 17): a BIN on the merchant's block list refuses the pay
// in the card envelope (error RISK_BLOCKED, a numeric errorId, data.riskDecisionId), and no payment
// is started. Real HTTP through inject(), real database.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { BILLING, createCardHarness, registerCustomer } from "../support/card-customer.js";
import type { Harness } from "../support/harness.js";

let h: Harness;
let merchantId: string;
let op: string;

before(async () => {
  ({ h, merchantId } = await createCardHarness());
  op = await createOperatorKey(h.deps, "risk");
});
after(async () => h?.close());

test("a blocked BIN refuses the card pay in the card envelope; nothing is charged", async () => {
  const rule = await h.app.inject({
    method: "POST",
    url: `/admin/v1/risk/rules?merchantId=${merchantId}`,
    headers: { "x-operator-key": op },
    payload: { name: "blocked BIN", weight: 100, spec: { kind: "list", signal: "bin", mode: "block", values: ["424242"] } },
  });
  assert.equal(rule.statusCode, 201, rule.body);
  const who = await registerCustomer(h.app, merchantId);
  const add = await h.app.inject({
    method: "POST",
    url: "/v3/payin/card",
    headers: who.headers,
    payload: { cardNumber: 4242424242424242, cardHolder: "ADA LOVELACE", cardExpirationYear: 2030, cardExpirationMonth: 12, billingAddress: BILLING },
  });
  assert.equal(add.statusCode, 200, add.body);
  const offer = await h.app.inject({ method: "POST", url: "/v3/payin/offer", headers: who.headers, payload: { cardId: add.json().cardId, fromCurrency: "EUR", amount: 100, toCurrency: "USDT", operation: "PAYIN" } });
  assert.equal(offer.statusCode, 200, offer.body);
  const pay = await h.app.inject({ method: "POST", url: `/v3/payin/pay/${offer.json().offerId}`, headers: who.headers, payload: { cardCVV: "123" } });
  assert.equal(pay.statusCode, 403, pay.body);
  const body = pay.json();
  assert.equal(body.error, "RISK_BLOCKED");
  assert.equal(typeof body.errorId, "number");
  assert.equal(typeof body.data.riskDecisionId, "string");
  const payments = await h.deps.database.db.selectFrom("card_payments").select("id").execute();
  assert.deepEqual(payments, []);
});
