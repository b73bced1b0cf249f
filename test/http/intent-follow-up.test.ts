// A merchant follows its intents (issue 13): GET /payment/intent lists them (filters, bounded cursor
// pages, never another tenant's), the status read shows the final amounts once paid, and every refund
// with what went back, to whom and when (status 12 included).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { insertStore } from "../../src/db/stores.js";
import { sandboxTransfer } from "../support/bank-feed.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { type Json, jsonCall } from "../support/json-call.js";
import { INTENT_RATES_ENV, advanceAndDrain, configureStore, drain, freshEmail, intentBody, kycFields } from "../support/intents.js";

let h: Harness;
let A: MerchantFixture;
let B: MerchantFixture;
let mismatchStore: MerchantFixture;
const A2 = "store_a2_follow_up";

const api = (method: "GET" | "POST", url: string, body?: unknown, key: string = A.apiKey) => jsonCall(h.app, method, url, { "x-api-key": key }, body);

before(async () => {
  h = await createHarness({ env: { ...INTENT_RATES_ENV, RAMPART_SANDBOX_CHAIN_CONFIRMATIONS: "1" } });
  A = await createMerchant(h.deps);
  B = await createMerchant(h.deps);
  mismatchStore = await createMerchant(h.deps);
  await insertStore(h.deps.database.db, { id: A2, merchantId: A.merchantId, name: "Second store" });
  for (const s of [A.storeId, A2, B.storeId]) await configureStore(h, s);
  await configureStore(h, mismatchStore.storeId, { acceptAmountMismatch: true });
});
after(async () => h?.close());

/** Each a millisecond after the last: ids are time-ordered to the millisecond, the test clock stands still. */
async function create(over: Record<string, unknown> = {}, who: MerchantFixture = A, store = who.storeId): Promise<string> {
  h.clock.advance(1);
  const r = await api("POST", "/payment/intent", intentBody(store, over), who.apiKey);
  assert.equal(r.status, 201, r.text);
  return r.json.paymentIntentId;
}

async function status(id: string, who: MerchantFixture = A): Promise<Json> {
  const r = await api("GET", `/payment/intent/${id}/status`, undefined, who.apiKey);
  assert.equal(r.status, 200, r.text);
  return r.json;
}

async function pay(id: string, who: MerchantFixture, amount?: number, payer: Record<string, string> = {}) {
  const ins = await api("GET", `/payment/intent/${id}/instructions`, undefined, who.apiKey);
  assert.equal(ins.status, 200, ins.text);
  const r = await sandboxTransfer(h.app, { apiKey: who.apiKey }, { reference: ins.json.bankTransfer.reference, amount: amount ?? ins.json.fiatAmount, currency: "EUR", ...payer });
  assert.equal(r.status, 200, r.text);
  await drain(h);
  return ins.json;
}

const list = async (query: string, key = A.apiKey) => api("GET", `/payment/intent${query}`, undefined, key);
const ids = (r: { json: Json }) => (r.json.items as { paymentIntentId: string }[]).map((i) => i.paymentIntentId);

describe("GET /payment/intent", () => {
  test("newest first, filtered by status, e-mail, store and created range; another tenant's never listed", async () => {
    const email = freshEmail();
    const t0 = new Date(h.clock.now().getTime() + 1);
    const first = await create({ email });
    h.clock.advance(60_000);
    const t1 = new Date(h.clock.now().getTime() + 1);
    const ready = await create({ email: email.toUpperCase(), ...kycFields() });
    const other = await create({}, A, A2);
    h.clock.advance(60_000);
    const t2 = new Date(h.clock.now().getTime() + 1);
    const last = await create({ countryIsoCode: "US" });
    const foreign = await create({ email }, B);

    const all = await list(`?from=${t0.toISOString()}`);
    assert.equal(all.status, 200, all.text);
    assert.deepEqual(ids(all), [last, other, ready, first]);
    assert.equal(all.json.nextCursor, null);
    const item = all.json.items[3];
    assert.deepEqual(
      { storeId: item.storeId, email: item.email, status: item.status, statusName: item.statusName, amounts: item.amounts, refunds: item.refunds },
      { storeId: A.storeId, email, status: 4, statusName: "ready_to_pay", amounts: null, refunds: [] },
      "the second create's KYC approval moved the user's first intent on",
    );
    assert.equal(item.createdAt, t0.toISOString());

    assert.deepEqual(ids(await list(`?from=${t0.toISOString()}&email=${encodeURIComponent(email.toUpperCase())}`)), [ready, first], "e-mail in any case");
    assert.deepEqual(ids(await list(`?from=${t0.toISOString()}&status=4`)), [ready, first]);
    assert.deepEqual(ids(await list(`?from=${t0.toISOString()}&status=2`)), [other]);
    assert.deepEqual(ids(await list(`?from=${t0.toISOString()}&status=10002`)), [last]);
    assert.deepEqual(ids(await list(`?storeId=${A2}`)), [other]);
    assert.deepEqual(ids(await list(`?from=${t1.toISOString()}&to=${t2.toISOString()}`)), [other, ready], "from inclusive, to exclusive");
    assert.deepEqual(ids(await list(`?email=${encodeURIComponent(email)}`, B.apiKey)), [foreign], "B sees only its own");
    assert.deepEqual(ids(await list(`?storeId=${B.storeId}`)), [], "another merchant's store lists nothing");
    assert.ok(!ids(await list("?limit=100")).includes(foreign));
  });

  test("cursor pages of 1 to 100: the last page's nextCursor is null; limit outside is 400 naming limit", async () => {
    const m = await createMerchant(h.deps);
    await configureStore(h, m.storeId);
    const made = [];
    for (let i = 0; i < 4; i++) made.unshift(await create({}, m));
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r = await list(`?limit=2${cursor ? `&cursor=${cursor}` : ""}`, m.apiKey);
      assert.equal(r.status, 200, r.text);
      seen.push(...ids(r));
      cursor = r.json.nextCursor;
      pages++;
    } while (cursor);
    assert.deepEqual(seen, made);
    assert.equal(pages, 2, "an exactly full last page has no next cursor");
    for (const limit of ["0", "101", "abc"]) {
      const r = await list(`?limit=${limit}`, m.apiKey);
      assert.equal(r.status, 400, `limit=${limit}: ${r.text}`);
      assert.equal(r.json.field, "limit");
    }
    const bad = await list("?cursor=nope", m.apiKey);
    assert.equal(bad.status, 400);
    assert.equal(bad.json.field, "cursor");
    const badStatus = await list("?status=7", m.apiKey);
    assert.equal(badStatus.status, 400);
    assert.equal(badStatus.json.field, "status");
  });
});

describe("status read after 4", () => {
  test("shows the final amounts, rate and fees at 5 and 6 (the instructions answer 409 there)", async () => {
    const id = await create(kycFields());
    assert.equal((await status(id)).amounts, null, "not before payment: the instructions show them at 4");
    const ins = await pay(id, A);
    const expected = { fiatAmount: ins.fiatAmount, currencyIsoCode: "EUR", cryptoAmount: ins.cryptoAmount, cryptoSymbol: "USDT", network: "trc20", rate: ins.rate, fees: ins.fees };
    const paid = await status(id);
    assert.equal(paid.status, 5);
    assert.deepEqual(paid.amounts, expected);
    assert.equal((await api("GET", `/payment/intent/${id}/instructions`)).status, 409);
    await advanceAndDrain(h, 1000, 3);
    const done = await status(id);
    assert.equal(done.status, 6);
    assert.deepEqual(done.amounts, expected);
  });

  test("a recalculated amount is readable: the amount received, the crypto pro rata, the fee rounded up", async () => {
    const id = await create(kycFields(), mismatchStore);
    const ins = await pay(id, mismatchStore, 90);
    const s = await status(id, mismatchStore);
    assert.equal(s.status, 5);
    assert.equal(s.amounts.fiatAmount, 90);
    assert.equal(s.amounts.cryptoAmount, Math.floor(ins.cryptoAmount * 0.9 * 1e6) / 1e6);
    assert.equal(s.amounts.fees.fiat, Math.ceil(ins.fees.fiat * 0.9 * 100) / 100);
    assert.equal(s.amounts.rate, ins.rate);
  });
});

describe("refunds on the status read", () => {
  test("status 12 states what was refunded, to whom and when", async () => {
    const id = await create(kycFields());
    await pay(id, A, 99.5, { payerName: "Ana Garcia", payerIban: "DE89370400440532013000" });
    const s = await status(id);
    assert.equal(s.status, 12);
    assert.equal(s.amounts, null, "nothing is delivered for a refunded intent");
    const [refund, ...more] = s.refunds;
    assert.deepEqual(more, []);
    const { refundedAt, ...what } = refund;
    assert.deepEqual(what, { fiatAmount: 99.5, currencyIsoCode: "EUR", to: { name: "Ana Garcia", iban: "DE89370400440532013000" }, reason: "amount differs from the instructions" });
    assert.match(refundedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, "when the refund was booked");
    const listed = (await list("?status=12")).json.items.find((i: Json) => i.paymentIntentId === id);
    assert.deepEqual(listed.refunds, s.refunds, "the list shows the same");
  });

  test("money refunded on its own (a second payment of a paid intent) shows at once, the status unchanged", async () => {
    const id = await create(kycFields());
    const ins = await pay(id, A);
    assert.deepEqual((await status(id)).refunds, [], "read (and cached) before the second payment");
    const again = await sandboxTransfer(h.app, { apiKey: A.apiKey }, { reference: ins.bankTransfer.reference, amount: ins.fiatAmount, currency: "EUR" });
    assert.equal(again.json.outcome, "refunded");
    const s = await status(id);
    assert.equal(s.status, 5);
    assert.equal(s.refunds.length, 1);
    assert.deepEqual(s.refunds[0].to, { name: null, iban: null }, "the payer is unknown when the bank does not say");
    assert.equal(s.refunds[0].reason, "the intent was already paid");
  });
});
