// The /payment/intent dialect end to end: every transition of its status graph
// (docs/contract-intents.md#statuses) driven through the API and the sandbox ports (KYC vendor, bank
// feed, chain), with the signed IPN of each change received by a loopback receiver.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { SANDBOX_FAILING_ADDRESSES } from "../../src/adapters/chain/sandbox-chain.js";
import { sandboxTransfer } from "../support/bank-feed.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { jsonCall, operatorHeader } from "../support/json-call.js";
import { INTENT_RATES_ENV, WALLETS, advanceAndDrain, configureStore, drain, intentBody, ipnStatuses, kycFields } from "../support/intents.js";
import { type Receiver, startReceiver } from "../support/webhook-receiver.js";

let h: Harness;
let A: MerchantFixture;
let B: MerchantFixture;
let secretA: string;
let receiver: Receiver;
let operatorKey: string;

const api = (method: "GET" | "POST", url: string, body?: unknown, key: string = A.apiKey) => jsonCall(h.app, method, url, { "x-api-key": key }, body);
const admin = (method: "GET" | "POST", url: string, body?: unknown) => jsonCall(h.app, method, url, operatorHeader(operatorKey), body);

async function create(over: Record<string, unknown> = {}, store = A.storeId) {
  const r = await api("POST", "/payment/intent", intentBody(store, { ipnUrl: `${receiver.url}/ipn`, ...over }));
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return r.json as { paymentIntentId: string; status: number; kycUrl: string | null; orderNumber: string | null; checkoutUrl: string };
}

async function statusOf(id: string) {
  const r = await api("GET", `/payment/intent/${id}/status`);
  assert.equal(r.status, 200);
  return r.json as { status: number; orderNumber: string | null; txHash: string | null; statusName: string; checkoutUrl: string };
}

async function ipns(id: string): Promise<number[]> {
  await drain(h);
  return ipnStatuses(receiver.received, id, secretA, Math.floor(h.clock.now().getTime() / 1000));
}

async function instructions(id: string) {
  const r = await api("GET", `/payment/intent/${id}/instructions`);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return r.json;
}

async function pay(id: string, amount?: number | string, externalId?: string) {
  const ins = await instructions(id);
  const res = await sandboxTransfer(h.app, { apiKey: A.apiKey }, {
    reference: ins.bankTransfer.reference,
    amount: amount ?? ins.fiatAmount,
    currency: ins.currencyIsoCode,
    ...(externalId ? { externalId } : {}),
  });
  assert.equal(res.status, 200, res.text);
  return res.json;
}

async function reviewCaseFor(email: string): Promise<string> {
  const q = await admin("GET", "/admin/v1/kyc/reviews");
  assert.equal(q.status, 200);
  const c = (q.json.items as { id: string; email: string }[]).find((i) => i.email === email);
  assert.ok(c, `a review case for ${email}`);
  return c.id;
}

before(async () => {
  h = await createHarness({ env: { ...INTENT_RATES_ENV, RAMPART_SANDBOX_CHAIN_CONFIRMATIONS: "3" } });
  A = await createMerchant(h.deps);
  B = await createMerchant(h.deps);
  secretA = await configureStore(h, A.storeId);
  await configureStore(h, B.storeId);
  receiver = await startReceiver();
  const { createOperatorKey } = await import("../../src/app/keys/create-keys.js");
  operatorKey = await createOperatorKey(h.deps, "test");
});
after(async () => {
  await receiver?.close();
  await h?.close();
});

describe("status graph", () => {
  test("1 → 2 → 4 (KYC data in the create call, vendor approves) → 5 → 6 with the tx hash", async () => {
    const c = await create(kycFields());
    assert.equal(c.status, 4);
    assert.equal(c.kycUrl, null);
    const st = await statusOf(c.paymentIntentId);
    assert.match(st.orderNumber ?? "", /^ORD-\d+$/);
    assert.equal(st.txHash, null);
    assert.equal((await pay(c.paymentIntentId)).outcome, "paid");
    await drain(h);
    assert.equal((await statusOf(c.paymentIntentId)).status, 5);
    await advanceAndDrain(h, 1000, 4);
    const done = await statusOf(c.paymentIntentId);
    assert.equal(done.status, 6);
    assert.match(done.txHash ?? "", /^[0-9a-f]{64}$/);
    assert.equal(done.statusName, "completed");
    assert.deepEqual(await ipns(c.paymentIntentId), [2, 4, 5, 6]);
  });

  test("1 → 4 when the user's KYC is still valid; 1 → 2 with a KYC link otherwise", async () => {
    const email = `valid.${Date.now()}@example.com`;
    const first = await create({ email, ...kycFields() });
    assert.equal(first.status, 4);
    const second = await create({ email: email.toUpperCase() });
    assert.equal(second.status, 4, "users are per store by e-mail, case-insensitive");
    assert.deepEqual(await ipns(second.paymentIntentId), [4]);
    const fresh = await create();
    assert.equal(fresh.status, 2);
    assert.match(fresh.kycUrl ?? "", /\/kyc\/[A-Za-z0-9_-]+$/);
    assert.deepEqual(await ipns(fresh.paymentIntentId), [2]);
    // Every answer carries the hosted checkout, the same link each time, that opens only this intent.
    assert.match(fresh.checkoutUrl, new RegExp(`^${h.deps.config.publicUrl}/checkout/${fresh.paymentIntentId}\\.[A-Za-z0-9_-]{24}$`));
    assert.equal((await statusOf(fresh.paymentIntentId)).checkoutUrl, fresh.checkoutUrl);
    const page = await h.app.inject({ method: "GET", url: new URL(fresh.checkoutUrl).pathname });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /data-status="2"/);
    assert.notEqual(first.checkoutUrl, fresh.checkoutUrl);
    const swapped = fresh.checkoutUrl.replace(fresh.paymentIntentId, first.paymentIntentId);
    assert.equal((await h.app.inject({ method: "GET", url: new URL(swapped).pathname })).statusCode, 404, "a signature opens only its own intent");
    // The same user of another store is a different user: KYC again.
    const other = await api("POST", "/payment/intent", intentBody(B.storeId, { email }), B.apiKey);
    assert.equal(other.json.status, 2);
  });

  test("1 → 10002 when the store does not serve the country (a status, not an HTTP error)", async () => {
    const c = await create({ countryIsoCode: "US" });
    assert.equal(c.status, 10002);
    assert.equal(c.kycUrl, null);
    assert.deepEqual(await ipns(c.paymentIntentId), [10002]);
  });

  test("2 → 10001 when the vendor rejects (last name Reject)", async () => {
    const c = await create(kycFields("Reject"));
    assert.equal(c.status, 10001);
    assert.deepEqual(await ipns(c.paymentIntentId), [2, 10001]);
  });

  test("2 → 3 (last name Review) → 4 when support approves", async () => {
    const email = `review.ok.${Date.now()}@example.com`;
    const c = await create({ email, ...kycFields("Review") });
    assert.equal(c.status, 3);
    const caseId = await reviewCaseFor(email);
    const d = await admin("GET", `/admin/v1/kyc/cases/${caseId}`);
    assert.deepEqual(d.json.events.map((e: { to: string }) => e.to), ["open", "submitted", "review"]);
    assert.equal((await admin("POST", `/admin/v1/kyc/cases/${caseId}/approve`)).json.status, "approved");
    const st = await statusOf(c.paymentIntentId);
    assert.equal(st.status, 4);
    assert.match(st.orderNumber ?? "", /^ORD-\d+$/);
    assert.deepEqual(await ipns(c.paymentIntentId), [2, 3, 4]);
    const again = await admin("POST", `/admin/v1/kyc/cases/${caseId}/approve`);
    assert.equal(again.status, 409, "a decided case cannot be decided again");
    assert.equal(again.json.message, "Cannot approve a KYC case that is approved");
  });

  test("2 → 3 → 10001 when support rejects with a reason", async () => {
    const email = `review.no.${Date.now()}@example.com`;
    const c = await create({ email, ...kycFields("Review") });
    const caseId = await reviewCaseFor(email);
    const bad = await admin("POST", `/admin/v1/kyc/cases/${caseId}/reject`, {});
    assert.equal(bad.status, 400);
    assert.equal((await admin("POST", `/admin/v1/kyc/cases/${caseId}/reject`, { reason: "Document is blurred" })).json.status, "rejected");
    assert.equal((await statusOf(c.paymentIntentId)).status, 10001);
    const d = await admin("GET", `/admin/v1/kyc/cases/${caseId}`);
    assert.equal(d.json.events.at(-1).reason, "Document is blurred");
    assert.equal(d.json.events.at(-1).actor, "support");
    assert.deepEqual(await ipns(c.paymentIntentId), [2, 3, 10001]);
  });

  test("2 → 14 and 3 → 14 and 4 → 14 on cancel; cancel after that → 409 naming the status", async () => {
    const two = await create();
    const three = await create(kycFields("Review"));
    const four = await create(kycFields());
    for (const c of [two, three, four]) {
      const r = await api("POST", `/payment/intent/${c.paymentIntentId}/cancel`);
      assert.equal(r.status, 200);
      assert.equal(r.json.status, 14);
    }
    const again = await api("POST", `/payment/intent/${two.paymentIntentId}/cancel`);
    assert.equal(again.status, 409);
    assert.equal(again.json.status, 14);
    assert.equal(again.json.message, "Cannot cancel a payment intent that is cancelled (status 14)");
    assert.ok(again.json.requestId);
    assert.deepEqual(await ipns(two.paymentIntentId), [2, 14]);
    assert.deepEqual(await ipns(three.paymentIntentId), [2, 3, 14]);
    assert.deepEqual(await ipns(four.paymentIntentId), [2, 4, 14]);
  });

  test("2 → 10 and 3 → 10 after the KYC window; 4 → 10 after the payment window; a late payment → 12", async () => {
    const two = await create();
    const three = await create(kycFields("Review"));
    await advanceAndDrain(h, 86_400_000 + 1000);
    assert.equal((await statusOf(two.paymentIntentId)).status, 10);
    assert.equal((await statusOf(three.paymentIntentId)).status, 10);
    const four = await create(kycFields());
    const ins = await instructions(four.paymentIntentId);
    assert.equal(new Date(ins.expiresAt).getTime(), h.clock.now().getTime() + 3600_000);
    await advanceAndDrain(h, 3600_000 + 1000);
    assert.equal((await statusOf(four.paymentIntentId)).status, 10);
    // Money arriving after the window is booked and sent back.
    const late = await sandboxTransfer(h.app, { apiKey: A.apiKey }, { reference: ins.bankTransfer.reference, amount: ins.fiatAmount, currency: "EUR" });
    assert.equal(late.json.outcome, "refunded");
    assert.equal((await statusOf(four.paymentIntentId)).status, 12);
    assert.deepEqual(await ipns(two.paymentIntentId), [2, 10]);
    assert.deepEqual(await ipns(three.paymentIntentId), [2, 3, 10]);
    assert.deepEqual(await ipns(four.paymentIntentId), [2, 4, 10, 12]);
  });

  test("4 → 5 → 12 when the amount differs and the store does not accept mismatches", async () => {
    const c = await create(kycFields());
    assert.equal((await pay(c.paymentIntentId, 99.5)).outcome, "refunded");
    assert.equal((await statusOf(c.paymentIntentId)).status, 12);
    assert.deepEqual(await ipns(c.paymentIntentId), [2, 4, 5, 12]);
  });

  test("5 → 10000 when the payout fails for good (sandbox failing address); the hold is reversed", async () => {
    const c = await create({ ...kycFields(), walletAddress: SANDBOX_FAILING_ADDRESSES[0] });
    await pay(c.paymentIntentId);
    await advanceAndDrain(h, 1000, 2);
    const st = await statusOf(c.paymentIntentId);
    assert.equal(st.status, 10000);
    assert.equal(st.txHash, null);
    assert.deepEqual(await ipns(c.paymentIntentId), [2, 4, 5, 10000]);
    const { getBalance } = await import("../../src/app/ledger/ledger.js");
    const inFlight = await getBalance(h.deps.database.db, { owner: "platform", asset: "USDT", purpose: "payout_in_flight" });
    assert.equal(inFlight.posted + inFlight.pending, 0n, "nothing left in flight");
  });
});

describe("matching and amounts", () => {
  test("an inbound transfer id is processed once", async () => {
    const c = await create(kycFields());
    const ins = await instructions(c.paymentIntentId);
    const transfer = { reference: ins.bankTransfer.reference, amount: ins.fiatAmount, currency: "EUR", externalId: `bank-tx-${c.paymentIntentId}` };
    const first = await sandboxTransfer(h.app, { apiKey: A.apiKey }, transfer);
    assert.deepEqual([first.json.outcome, first.json.duplicate], ["paid", false]);
    const again = await sandboxTransfer(h.app, { apiKey: A.apiKey }, transfer);
    assert.deepEqual([again.json.outcome, again.json.duplicate, again.json.transferId], ["paid", true, first.json.transferId]);
    const unknown = await sandboxTransfer(h.app, { operatorKey }, { reference: "RMPUNKNOWN", amount: 1, currency: "EUR" });
    assert.equal(unknown.json.outcome, "unmatched");
    const after = await api("GET", `/payment/intent/${c.paymentIntentId}/instructions`);
    assert.equal(after.status, 409);
    assert.equal(after.json.status, 5);
  });

  test("with acceptAmountMismatch the crypto is recalculated pro rata and the intent completes", async () => {
    const m = await createMerchant(h.deps);
    await configureStore(h, m.storeId, { acceptAmountMismatch: true });
    const r = await api("POST", "/payment/intent", intentBody(m.storeId, kycFields()), m.apiKey);
    const id = r.json.paymentIntentId as string;
    const before = (await api("GET", `/payment/intent/${id}/instructions`, undefined, m.apiKey)).json;
    const ref = before.bankTransfer.reference;
    const res = await sandboxTransfer(h.app, { apiKey: m.apiKey }, { reference: ref, amount: "50.00", currency: "EUR" });
    assert.equal(res.json.outcome, "recalculated");
    await advanceAndDrain(h, 1000, 4);
    const st = (await api("GET", `/payment/intent/${id}/status`, undefined, m.apiKey)).json;
    assert.equal(st.status, 6);
  });

  test("fiat wins when both amounts are sent", async () => {
    const both = await create({ ...kycFields(), fiatAmount: 100, cryptoAmount: 5 });
    const fiatOnly = await create({ ...kycFields(), fiatAmount: 100 });
    const a = await instructions(both.paymentIntentId);
    const b = await instructions(fiatOnly.paymentIntentId);
    assert.equal(a.fiatAmount, 100);
    assert.equal(a.cryptoAmount, b.cryptoAmount);
    assert.notEqual(a.cryptoAmount, 5);
  });

  test("crypto amount given: the fiat to pay is computed, and buys at least that crypto", async () => {
    const c = await create({ ...kycFields(), fiatAmount: undefined, cryptoAmount: "50" });
    const ins = await instructions(c.paymentIntentId);
    assert.ok(ins.cryptoAmount >= 50);
    assert.ok(ins.fiatAmount > 46);
  });

  test("instructions carry exact amounts, the store's bank details, a unique reference and the expiry", async () => {
    const x = await instructions((await create(kycFields())).paymentIntentId);
    const y = await instructions((await create(kycFields())).paymentIntentId);
    assert.equal(x.bankTransfer.iban, "ES9121000418450200051332");
    assert.equal(x.bankTransfer.bic, "CAIXESBBXXX");
    assert.notEqual(x.bankTransfer.reference, y.bankTransfer.reference);
    assert.equal(x.fees.fiat, 1.75, "1.5% of 100 EUR + 0.25 (sandbox EUR→USDT pair)");
    assert.equal(x.fees.network, 1, "1 USDT on TRON");
    assert.ok(x.expiresAt);
    assert.equal(x.network, "trc20");
  });
});

describe("validation and errors", () => {
  test("instructions before status 4 → 409 intent_not_ready with the status", async () => {
    const c = await create();
    const r = await api("GET", `/payment/intent/${c.paymentIntentId}/instructions`);
    assert.equal(r.status, 409);
    assert.equal(r.json.error, "intent_not_ready");
    assert.equal(r.json.status, 2);
    assert.match(r.json.message, /status 2/);
  });

  test("bad input → 400 naming the field, never 5xx", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ walletAddress: WALLETS.erc20 }, "walletAddress"],
      [{ network: "solana" }, "network"],
      [{ currencyIsoCode: "JPY" }, "cryptoSymbol"],
      [{ paymentMethod: "card" }, "paymentMethod"],
      [{ currencyIsoCode: "XYZ" }, "currencyIsoCode"],
      [{ fiatAmount: 1 }, "fiatAmount"],
      [{ fiatAmount: 1_000_000 }, "fiatAmount"],
      [{ fiatAmount: "10.001" }, "fiatAmount"],
      [{ fiatAmount: undefined }, "fiatAmount"],
      [{ email: "nope" }, "email"],
      [{ unknownField: 1 }, "unknownField"],
    ];
    for (const [over, field] of cases) {
      const r = await api("POST", "/payment/intent", intentBody(A.storeId, over));
      assert.equal(r.status, 400, `${JSON.stringify(over)} → ${JSON.stringify(r.json)}`);
      assert.equal(r.json.field, field, JSON.stringify(r.json));
      assert.ok(r.json.requestId);
    }
  });

  test("address vectors per network through the API, the field named", async () => {
    const vectors: { network: string; cryptoSymbol: string; valid: string[]; invalid: string[] }[] = [
      { network: "bitcoin", cryptoSymbol: "BTC", valid: ["1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"], invalid: ["1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "bc1qW508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"] },
      { network: "ethereum", cryptoSymbol: "ETH", valid: ["0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", "0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED"], invalid: ["0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe"] },
      { network: "erc20", cryptoSymbol: "USDT", valid: ["0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"], invalid: ["0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d35A", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"] },
      { network: "trc20", cryptoSymbol: "USDT", valid: ["TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7"], invalid: ["TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"] },
    ];
    for (const v of vectors) {
      for (const walletAddress of v.valid) {
        const r = await api("POST", "/payment/intent", intentBody(A.storeId, { network: v.network, cryptoSymbol: v.cryptoSymbol, walletAddress, fiatAmount: 200 }));
        assert.equal(r.status, 201, `${v.network} ${walletAddress}: ${JSON.stringify(r.json)}`);
      }
      for (const walletAddress of v.invalid) {
        const r = await api("POST", "/payment/intent", intentBody(A.storeId, { network: v.network, cryptoSymbol: v.cryptoSymbol, walletAddress, fiatAmount: 200 }));
        assert.equal(r.status, 400, `${v.network} ${walletAddress}`);
        assert.equal(r.json.field, "walletAddress");
        assert.equal(r.json.error, "invalid_address");
      }
    }
  });

  test("tenant isolation: another merchant's key gets 404; a storeId of another merchant gets 403", async () => {
    const c = await create();
    for (const [method, url] of [
      ["GET", `/payment/intent/${c.paymentIntentId}/status`],
      ["GET", `/payment/intent/${c.paymentIntentId}/instructions`],
      ["POST", `/payment/intent/${c.paymentIntentId}/cancel`],
    ] as const) {
      const r = await api(method, url, undefined, B.apiKey);
      assert.equal(r.status, 404, `${method} ${url}`);
      assert.equal(r.json.error, "not_found");
    }
    const wrong = await api("POST", "/payment/intent", intentBody(B.storeId), A.apiKey);
    assert.equal(wrong.status, 403);
    assert.equal(wrong.json.error, "store_mismatch");
    assert.equal(wrong.json.field, "storeId");
    const noKey = await h.app.inject({ method: "GET", url: `/payment/intent/${c.paymentIntentId}/status` });
    assert.equal(noKey.statusCode, 401);
    assert.equal((await statusOf(c.paymentIntentId)).status, 2, "untouched by the other merchant");
  });
});

describe("estimates and networks", () => {
  test("fiat → crypto with and without paymentMethod, crypto → fiat, networks", async () => {
    const one = await api("GET", "/payment/estimate-fiat-to-crypto-exchange?fiatAmount=100&currencyIsoCode=EUR&cryptoSymbol=USDT&paymentMethod=bank_transfer");
    assert.equal(one.status, 200, JSON.stringify(one.json));
    assert.deepEqual(Object.keys(one.json).sort(), ["cryptoAmount", "cryptoSymbol", "currencyIsoCode", "fiatAmount"]);
    const c = await create(kycFields());
    assert.equal(one.json.cryptoAmount, (await instructions(c.paymentIntentId)).cryptoAmount, "the estimate is what an intent gets");
    const all = await api("GET", "/payment/estimate-fiat-to-crypto-exchange?fiatAmount=100&currencyIsoCode=EUR&cryptoSymbol=USDT");
    assert.deepEqual(all.json.cryptoAmounts.map((c: { paymentMethod: string }) => c.paymentMethod), ["bank_transfer"], "card is not a method an intent can be paid with");
    assert.equal(all.json.cryptoAmounts[0].cryptoAmount, one.json.cryptoAmount);
    const back = await api("GET", `/payment/estimate-crypto-to-fiat-exchange?cryptoAmount=${one.json.cryptoAmount}&cryptoSymbol=USDT&currencyIsoCode=EUR`);
    assert.equal(back.status, 200);
    assert.equal(back.json.fiatAmount, 100);
    const bad = await api("GET", "/payment/estimate-fiat-to-crypto-exchange?fiatAmount=abc&currencyIsoCode=EUR&cryptoSymbol=USDT");
    assert.equal(bad.status, 400);
    assert.equal(bad.json.field, "fiatAmount");
    const nets = await api("GET", "/payment/networks");
    assert.ok((nets.json as unknown as { network: string }[]).some((n) => n.network === "trc20"));
  });
});
