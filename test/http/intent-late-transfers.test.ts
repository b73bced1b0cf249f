// Money that reaches a payment intent when it is not waiting for it. A paid intent stays on its course
// (5 → 6, the payer gets the crypto) and a second transfer for it is refunded on its own: its own
// fiat-in and refund transfers in the ledger, an event on the intent, an entry in the operator's
// "going back to the payer" list, and no IPN. A timed-out or cancelled intent records its first late
// payment as 12. Every case runs the transfer at one status of 4, 5 (before and after the payout is
// broadcast), 6, 10, 12 and 14, and the sandbox feed's merchant scoping is checked here too.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { returnedTransfers, unmatchedTransfers } from "../../src/app/bank-transfers/transfer-queues.js";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { getBalance } from "../../src/app/ledger/ledger.js";
import { findTransfer } from "../../src/db/ledger/ledger-store.js";
import { sandboxTransfer } from "../support/bank-feed.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { jsonCall } from "../support/json-call.js";
import { INTENT_RATES_ENV, advanceAndDrain, configureStore, drain, intentBody, ipnStatuses, kycFields } from "../support/intents.js";
import { type Receiver, startReceiver } from "../support/webhook-receiver.js";

let h: Harness;
let A: MerchantFixture;
let B: MerchantFixture;
let secretA: string;
let receiver: Receiver;
let operatorKey: string;

before(async () => {
  h = await createHarness({ env: { ...INTENT_RATES_ENV, RAMPART_SANDBOX_CHAIN_CONFIRMATIONS: "3" } });
  A = await createMerchant(h.deps);
  B = await createMerchant(h.deps);
  secretA = await configureStore(h, A.storeId);
  await configureStore(h, B.storeId);
  receiver = await startReceiver();
  operatorKey = await createOperatorKey(h.deps, "test");
});
after(async () => {
  await receiver?.close();
  await h?.close();
});

const api = (method: "GET" | "POST", url: string, key = A.apiKey) => jsonCall(h.app, method, url, { "x-api-key": key });

interface Ready {
  id: string;
  reference: string;
  fiatAmount: number;
}

/** An intent of merchant A at status 4 with its payment reference. */
async function readyIntent(): Promise<Ready> {
  const r = await jsonCall(h.app, "POST", "/payment/intent", { "x-api-key": A.apiKey }, intentBody(A.storeId, { ipnUrl: `${receiver.url}/ipn`, ...kycFields() }));
  assert.equal(r.status, 201, r.text);
  const id = r.json.paymentIntentId as string;
  const ins = await api("GET", `/payment/intent/${id}/instructions`);
  assert.equal(ins.status, 200, ins.text);
  return { id, reference: ins.json.bankTransfer.reference, fiatAmount: ins.json.fiatAmount };
}

let seq = 0;
async function transfer(i: Ready, amount: number = i.fiatAmount) {
  const externalId = `bank-${i.id}-${++seq}`;
  const r = await sandboxTransfer(h.app, { apiKey: A.apiKey }, { reference: i.reference, amount, currency: "EUR", externalId });
  assert.equal(r.status, 200, r.text);
  return { ...r.json, externalId };
}

const statusOf = async (id: string) => (await api("GET", `/payment/intent/${id}/status`)).json.status as number;

async function ipns(id: string): Promise<number[]> {
  await drain(h);
  return ipnStatuses(receiver.received, id, secretA, Math.floor(h.clock.now().getTime() / 1000));
}

async function eventsOf(id: string) {
  return h.deps.database.db.selectFrom("payment_intent_events").select(["from_status", "to_status", "data"]).where("intent_id", "=", id).orderBy("id").execute();
}

/** The late transfer was booked in and back out on its own, and the intent carries an event saying so. */
async function assertRefundedOnItsOwn(i: Ready, externalId: string, status: number): Promise<void> {
  const fiatIn = await findTransfer(h.deps.database.db, `intent:${i.id}:fiat_in:${externalId}`);
  const refund = await findTransfer(h.deps.database.db, `intent:${i.id}:refund:${externalId}`);
  assert.ok(fiatIn && refund, "its own fiat-in transfer and its reversal");
  const event = (await eventsOf(i.id)).find((e) => (e.data as { action?: string }).action === "payment_refunded");
  assert.ok(event, "an event on the intent records the refund");
  assert.deepEqual([event.from_status, event.to_status], [status, status], "the event changes no status");
  assert.ok((await returnedTransfers(h.deps)).some((t) => t.external_id === externalId && t.intent_id === i.id), "the operator sees it");
}

const platformFiat = async () => {
  const account = (purpose: "fiat_clearing" | "platform_inventory") => getBalance(h.deps.database.db, { owner: "platform", asset: "EUR", purpose });
  return { clearing: (await account("fiat_clearing")).posted, inventory: (await account("platform_inventory")).posted };
};

describe("a paid intent stays on its course; a second transfer is refunded on its own", () => {
  test("two transfers back to back at 4: the first pays, the second is refunded, the intent goes 5 → 6", async () => {
    const i = await readyIntent();
    const before = await platformFiat();
    const first = await transfer(i);
    const second = await transfer(i);
    assert.deepEqual([first.outcome, second.outcome], ["paid", "refunded"]);
    assert.equal(second.reason, "the intent was already paid");
    assert.equal(await statusOf(i.id), 5);
    await assertRefundedOnItsOwn(i, second.externalId, 5);
    await advanceAndDrain(h, 1000, 4);
    assert.equal(await statusOf(i.id), 6);
    assert.deepEqual(await ipns(i.id), [2, 4, 5, 6], "no 12: the payer got the crypto");
    const after = await platformFiat();
    const paidMinor = BigInt(Math.round(i.fiatAmount * 100));
    assert.equal(before.clearing - after.clearing, paidMinor, "only the paying transfer stays booked in");
  });

  test("a second transfer after the payout was broadcast is refunded; the intent still completes", async () => {
    const i = await readyIntent();
    assert.equal((await transfer(i)).outcome, "paid");
    await drain(h); // the payout job sends: broadcast, waiting for confirmations
    const payout = await h.deps.database.db.selectFrom("intent_payouts").select(["status", "tx_hash"]).where("intent_id", "=", i.id).executeTakeFirstOrThrow();
    assert.ok(payout.tx_hash, "the payout is on its way");
    assert.equal(await statusOf(i.id), 5);
    const second = await transfer(i);
    assert.equal(second.outcome, "refunded");
    await assertRefundedOnItsOwn(i, second.externalId, 5);
    await advanceAndDrain(h, 1000, 4);
    assert.equal(await statusOf(i.id), 6);
    assert.deepEqual(await ipns(i.id), [2, 4, 5, 6]);
  });

  test("a transfer at 6 is refunded and the intent stays 6", async () => {
    const i = await readyIntent();
    await transfer(i);
    await advanceAndDrain(h, 1000, 4);
    assert.equal(await statusOf(i.id), 6);
    const late = await transfer(i);
    assert.equal(late.outcome, "refunded");
    await assertRefundedOnItsOwn(i, late.externalId, 6);
    assert.equal(await statusOf(i.id), 6);
    assert.deepEqual(await ipns(i.id), [2, 4, 5, 6]);
  });

  test("two transfers racing at 4: exactly one pays, the other is refunded, never 12", async () => {
    const i = await readyIntent();
    const results = await Promise.all([transfer(i), transfer(i)]);
    assert.deepEqual(results.map((r) => r.outcome).sort(), ["paid", "refunded"]);
    await advanceAndDrain(h, 1000, 4);
    assert.equal(await statusOf(i.id), 6);
    assert.deepEqual(await ipns(i.id), [2, 4, 5, 6]);
  });
});

test("a transfer in another currency is booked as what arrived, never as that many minor units of the intent's currency (found by fuzzing)", async () => {
  const assets = async (transferId: string) =>
    (await h.deps.database.db.selectFrom("ledger_entries").select("asset").distinct().where("transfer_id", "=", transferId).execute()).map((e) => e.asset);
  // At 4 (the dialect's wrong-payment path: 5, then 12) and once the intent is paid (refunded on its own).
  const waiting = await readyIntent();
  const paid = await readyIntent();
  await transfer(paid);
  const before = await platformFiat();
  const cases = [
    { i: waiting, externalId: `jpy-${waiting.id}`, status: 12 },
    { i: paid, externalId: `jpy-${paid.id}`, status: 5 },
  ];
  for (const { i, externalId, status } of cases) {
    const r = await sandboxTransfer(h.app, { apiKey: A.apiKey }, { reference: i.reference, amount: 5000, currency: "JPY", externalId });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.outcome, "refunded");
    assert.deepEqual(await assets(`intent:${i.id}:fiat_in:${externalId}`), ["JPY"]);
    assert.deepEqual(await assets(`intent:${i.id}:refund:${externalId}`), ["JPY"]);
    assert.equal(await statusOf(i.id), status);
  }
  assert.deepEqual(await platformFiat(), before, "the platform's EUR accounts did not move");
});

describe("intents that ended", () => {
  test("at 10: the first late transfer records 12, a second one is refunded and 12 stays", async () => {
    const i = await readyIntent();
    await advanceAndDrain(h, 3600_000 + 1000);
    assert.equal(await statusOf(i.id), 10);
    assert.equal((await transfer(i)).outcome, "refunded");
    assert.equal(await statusOf(i.id), 12);
    const second = await transfer(i);
    assert.equal(second.outcome, "refunded");
    await assertRefundedOnItsOwn(i, second.externalId, 12);
    assert.deepEqual(await ipns(i.id), [2, 4, 10, 12]);
  });

  test("at 14: the first late transfer records 12, a second one is refunded and 12 stays", async () => {
    const i = await readyIntent();
    assert.equal((await api("POST", `/payment/intent/${i.id}/cancel`)).status, 200);
    assert.equal((await transfer(i)).outcome, "refunded");
    assert.equal(await statusOf(i.id), 12);
    const second = await transfer(i);
    await assertRefundedOnItsOwn(i, second.externalId, 12);
    assert.deepEqual(await ipns(i.id), [2, 4, 14, 12]);
  });

  test("at 12 after a wrong amount: the right amount arriving later is refunded too and 12 stays", async () => {
    const i = await readyIntent();
    const wrong = await transfer(i, i.fiatAmount - 0.5);
    assert.deepEqual([wrong.outcome, wrong.reason], ["refunded", "amount differs from the instructions"]);
    assert.equal(await statusOf(i.id), 12);
    const right = await transfer(i);
    assert.equal(right.outcome, "refunded");
    await assertRefundedOnItsOwn(i, right.externalId, 12);
    assert.deepEqual(await ipns(i.id), [2, 4, 5, 12]);
  });
});

describe("the sandbox feed acts for the merchant whose payment it pays", () => {
  test("no key is 401; another merchant's key is 404 and records nothing; the operator key may deliver anything", async () => {
    const i = await readyIntent();
    const body = { reference: i.reference, amount: i.fiatAmount, currency: "EUR", externalId: `scoped-${i.id}` };
    const anonymous = await jsonCall(h.app, "POST", "/sandbox/bank-transfers", {}, body);
    assert.equal(anonymous.status, 401);
    const wrongOperator = await jsonCall(h.app, "POST", "/sandbox/bank-transfers", { "x-operator-key": "rop_nope_nope" }, body);
    assert.equal(wrongOperator.status, 401);
    const other = await sandboxTransfer(h.app, { apiKey: B.apiKey }, body);
    assert.equal(other.status, 404);
    assert.equal(await statusOf(i.id), 4, "B's transfer did not pay A's intent");
    const unknownRef = await sandboxTransfer(h.app, { apiKey: A.apiKey }, { reference: "RMPNOSUCHREF", amount: 1, currency: "EUR" });
    assert.equal(unknownRef.json.outcome, "unmatched", "a reference nobody owns touches no merchant's data");
    const asOperator = await sandboxTransfer(h.app, { operatorKey }, body);
    assert.equal(asOperator.json.outcome, "paid", "the same transfer id was never recorded by B's attempt");
    const replayByB = await sandboxTransfer(h.app, { apiKey: B.apiKey }, body);
    assert.equal(replayByB.status, 404, "a redelivery does not tell B what it matched");
    assert.ok((await unmatchedTransfers(h.deps)).some((t) => t.reference === "RMPNOSUCHREF"));
  });
});
