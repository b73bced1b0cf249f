// The operator closes unmatched bank transfers (app/bank-transfers/resolve-unmatched-transfer.ts):
// assigned to an intent (by reference or id) or a trading pay-in through the one inbound path, with
// the same status changes, ledger entries and IPN/webhooks as an automatic match; or refunded to the
// payer as a refund order from the statement entry, exported in a pain.001 the ISO schema accepts.
// Four concurrent actions close a transfer once; a refund order without IBAN takes one from the
// operator (checked with ibantools), then goes out in the next export.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { XMLParser } from "fast-xml-parser";
import { importBankStatement } from "../../src/app/bank-statements/import-statement.js";
import { receiveBankTransfer } from "../../src/app/bank-transfers/receive-bank-transfer.js";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { jsonCall, operatorHeader } from "../support/json-call.js";
import { INTENT_RATES_ENV, STORE_BANK, configureStore, drain, intentBody, ipnStatuses, kycFields } from "../support/intents.js";
import { camt053 } from "../support/statements.js";
import { drainWorker, setupTrading, startWebhookReceiver, useFixedRate, verifyLedgerClean } from "../support/trading.js";
import { type Receiver, startReceiver } from "../support/webhook-receiver.js";
import { PAIN001_XSD, validateXml } from "../support/xml-schema.js";

let h: Harness;
let M: MerchantFixture;
let op: string;
let ipnSecret: string;
let receiver: Receiver;
let seq = 0;

before(async () => {
  h = await createHarness({ env: INTENT_RATES_ENV });
  M = await createMerchant(h.deps);
  ipnSecret = await configureStore(h, M.storeId);
  receiver = await startReceiver();
  op = await createOperatorKey(h.deps, "test");
});
after(async () => {
  await receiver?.close();
  await h?.close();
});

const admin = (method: "GET" | "POST" | "PUT", url: string, body?: unknown) => jsonCall(h.app, method, url, operatorHeader(op), body);

async function readyIntent(): Promise<{ id: string; reference: string; amount: string }> {
  const r = await jsonCall(h.app, "POST", "/payment/intent", { "x-api-key": M.apiKey }, intentBody(M.storeId, { ipnUrl: `${receiver.url}/ipn`, ...kycFields() }));
  assert.equal(r.status, 201, r.text);
  const ins = await jsonCall(h.app, "GET", `/payment/intent/${r.json.paymentIntentId}/instructions`, { "x-api-key": M.apiKey });
  assert.equal(ins.status, 200, ins.text);
  return { id: r.json.paymentIntentId, reference: ins.json.bankTransfer.reference, amount: ins.json.fiatAmount };
}
const statusOf = async (id: string) => (await jsonCall(h.app, "GET", `/payment/intent/${id}/status`, { "x-api-key": M.apiKey })).json.status as number;
const transferOf = (id: string) => h.deps.database.db.selectFrom("bank_transfers").selectAll().where("id", "=", id).executeTakeFirstOrThrow();

/** Imports a statement of the store's collection account with one credit that names no reference. */
async function unmatchedCredit(amount: string, payer: { name?: string; iban?: string } = { name: "Jan Novák", iban: "CZ6508000000192000145399" }): Promise<string> {
  const file = camt053(STORE_BANK.iban, [{ ref: `UNM-${++seq}-${Date.now()}`, amount, remittance: "invoice 4711 thanks", payerName: payer.name, payerIban: payer.iban }]);
  const report = await importBankStatement(h.deps, { file, fileName: null, account: null, csvMapping: undefined, skipRejected: false, source: "api" });
  assert.equal(report.lines[0]!.outcome, "unmatched", JSON.stringify(report.lines[0]));
  return report.lines[0]!.transferId!;
}

test("assigned by reference, an unmatched credit pays the intent like an automatic match: 5, the IPN, the ledger", async () => {
  const intent = await readyIntent();
  const transferId = await unmatchedCredit(intent.amount);
  assert.equal(await statusOf(intent.id), 4);

  const r = await admin("POST", `/admin/v1/unmatched-transfers/${transferId}/assign`, { reference: intent.reference.toLowerCase() });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.status, r.json.outcome, r.json.intentId], ["assigned", "paid", intent.id]);
  assert.equal(await statusOf(intent.id), 5);
  const row = await transferOf(transferId);
  assert.deepEqual([row.outcome, row.intent_id, row.resolution, row.resolved_by !== null], ["paid", intent.id, "assigned", true]);
  const queue = await admin("GET", "/admin/v1/trading/bank-transfers/unmatched");
  assert.ok(!(queue.json.items as { id: string }[]).some((t) => t.id === transferId), "it left the unmatched queue");

  await drain(h);
  assert.ok(ipnStatuses(receiver.received, intent.id, ipnSecret, Math.floor(h.clock.now().getTime() / 1000)).includes(5), "the 5 IPN was sent");
  const legs = await h.deps.database.db.selectFrom("ledger_transfers").select("id").where("id", "like", `intent:${intent.id}:fiat_in:%`).execute();
  assert.equal(legs.length, 1, "booked once, like an automatic match");

  const again = await admin("POST", `/admin/v1/unmatched-transfers/${transferId}/refund`, { reason: "changed my mind" });
  assert.deepEqual([again.status, again.json.error, again.json.currentStatus], [409, "illegal_transition", "assigned"]);
  await verifyLedgerClean(h.deps);
});

test("four operators assign the same transfer at once: one succeeds, three are 409 naming its status", async () => {
  const intent = await readyIntent();
  const transferId = await unmatchedCredit(intent.amount);
  const calls = await Promise.all([0, 1, 2, 3].map(() => admin("POST", `/admin/v1/unmatched-transfers/${transferId}/assign`, { intentId: intent.id })));
  const ok = calls.filter((c) => c.status === 200);
  const refused = calls.filter((c) => c.status === 409);
  assert.equal(ok.length, 1, calls.map((c) => c.text).join("\n"));
  assert.equal(refused.length, 3);
  for (const c of refused) assert.match(c.json.message, /already assigned/);
  assert.equal(await statusOf(intent.id), 5);
  const legs = await h.deps.database.db.selectFrom("ledger_transfers").select("id").where("id", "like", `intent:${intent.id}:fiat_in:%`).execute();
  assert.equal(legs.length, 1, "paid once");
  await verifyLedgerClean(h.deps);
});

test("an assignment that does not land on what was named changes nothing", async () => {
  const transferId = await unmatchedCredit("12.34");
  const unknown = await admin("POST", `/admin/v1/unmatched-transfers/${transferId}/assign`, { reference: "RMP-NOPE-NOPE" });
  assert.equal(unknown.status, 409, unknown.text);
  assert.match(unknown.json.message, /no payment intent has this reference/);
  const missing = await admin("POST", `/admin/v1/unmatched-transfers/${transferId}/assign`, { intentId: "pi_does_not_exist" });
  assert.equal(missing.status, 404);
  const two = await admin("POST", `/admin/v1/unmatched-transfers/${transferId}/assign`, { intentId: "x", reference: "y" });
  assert.deepEqual([two.status, two.json.error], [400, "validation_failed"]);
  const none = await admin("POST", "/admin/v1/unmatched-transfers/btr_nothing/assign", { reference: "y" });
  assert.equal(none.status, 404);
  const row = await transferOf(transferId);
  assert.deepEqual([row.outcome, row.resolution], ["unmatched", null]);
  const anon = await jsonCall(h.app, "POST", `/admin/v1/unmatched-transfers/${transferId}/refund`, {}, { reason: "no key" });
  assert.equal(anon.status, 401);
});

test("a transfer in another currency, or on a trader's requisite, is never assigned to an intent: 409, and the intent keeps waiting (found by fuzzing)", async () => {
  const intent = await readyIntent();
  const fx = await setupTrading(h.deps);
  const amountMinor = BigInt(Math.round(Number(intent.amount) * 100));
  const arrive = async (currency: string, requisiteId: string | null) => {
    const r = await receiveBankTransfer(h.deps, { externalId: `cur-${++seq}`, feed: "test-statement", amountMinor, currency, requisiteId, reference: null, payerName: "Ivan", payerIban: null, receivedAt: h.clock.now() });
    assert.equal(r.outcome, "unmatched");
    return r.transferId;
  };
  const cases = [
    { transferId: await arrive("RUB", null), why: /currency RUB differs from the intent's EUR/ },
    { transferId: await arrive("EUR", fx.requisiteIds[0]!), why: /arrived on a trader's requisite/ },
  ];
  for (const { transferId, why } of cases) {
    for (const to of [{ intentId: intent.id }, { reference: intent.reference }]) {
      const r = await admin("POST", `/admin/v1/unmatched-transfers/${transferId}/assign`, to);
      assert.equal(r.status, 409, r.text);
      assert.match(r.json.message, why);
    }
    const row = await transferOf(transferId);
    assert.deepEqual([row.outcome, row.resolution, row.intent_id], ["unmatched", null, null]);
  }
  assert.equal(await statusOf(intent.id), 4, "still waiting for its payment");
  const booked = await h.deps.database.db.selectFrom("ledger_transfers").select("id").where("id", "like", `intent:${intent.id}:%`).execute();
  assert.deepEqual(booked, [], "nothing booked for the intent");
  // The right transfer still pays it.
  const right = await arrive("EUR", null);
  const ok = await admin("POST", `/admin/v1/unmatched-transfers/${right}/assign`, { intentId: intent.id });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(await statusOf(intent.id), 5);
  await verifyLedgerClean(h.deps);
});

test("refunded: a refund order to the statement's payer, paid from the statement's account, in a pain.001 the schema accepts", async () => {
  const transferId = await unmatchedCredit("25.50", { name: "Jan Novák & Syn", iban: "CZ65 0800 0000 1920 0014 5399" });
  const r = await admin("POST", `/admin/v1/unmatched-transfers/${transferId}/refund`, { reason: "No order matches this payment" });
  assert.equal(r.status, 200, r.text);
  const order = r.json.refundOrder;
  assert.deepEqual(
    [r.json.status, order.status, order.amount, order.currency, order.creditorName, order.creditorIban, order.debtorIban],
    ["refunded", "pending", "25.50", "EUR", "Jan Novák & Syn", "CZ6508000000192000145399", STORE_BANK.iban],
  );
  const row = await transferOf(transferId);
  assert.deepEqual([row.outcome, row.resolution], ["refunded", "refunded"]);
  const legs = await h.deps.database.db.selectFrom("ledger_transfers").select("id").where("ref_id", "=", transferId).execute();
  assert.equal(legs.length, 2, "booked in and back out");

  const ex = await admin("POST", "/admin/v1/refund-exports");
  assert.equal(ex.status, 201, ex.text);
  assert.ok((ex.json.exported as { id: string }[]).some((o) => o.id === order.id));
  const valid = await validateXml(ex.json.pain001, PAIN001_XSD);
  assert.ok(valid.ok, valid.output);
  const doc = new XMLParser({ ignoreAttributes: false, parseTagValue: false }).parse(ex.json.pain001);
  type Node = Record<string, any>;
  const batches: Node[] = [doc.Document.CstmrCdtTrfInitn.PmtInf].flat();
  const tx: Node[] = batches.flatMap((b) => [b.CdtTrfTxInf].flat().map((t: Node) => ({ ...t, debtor: b.DbtrAcct.Id.IBAN, bic: b.DbtrAgt.FinInstnId.BIC })));
  const mine = tx.find((t) => t.PmtId.EndToEndId === order.id)!;
  assert.deepEqual([mine.debtor, mine.bic, mine.CdtrAcct.Id.IBAN, mine.Amt.InstdAmt["#text"]], [STORE_BANK.iban, STORE_BANK.bic, "CZ6508000000192000145399", "25.50"]);
  assert.match(mine.RmtInf.Ustrd, /Refund invoice 4711 thanks: No order matches/);

  const twice = await Promise.all([0, 1].map(() => admin("POST", `/admin/v1/unmatched-transfers/${transferId}/refund`, { reason: "again please" })));
  assert.deepEqual(twice.map((c) => [c.status, c.json.currentStatus]), [[409, "refunded"], [409, "refunded"]]);
  await verifyLedgerClean(h.deps);
});

test("a refund without the payer's IBAN waits; the operator enters it (checked) and the next export carries it", async () => {
  const transferId = await unmatchedCredit("9.99", { name: "Unknown payer" });
  const r = await admin("POST", `/admin/v1/unmatched-transfers/${transferId}/refund`, { reason: "Nothing to pay" });
  assert.equal(r.status, 200, r.text);
  const orderId = r.json.refundOrder.id as string;
  assert.equal(r.json.refundOrder.status, "waiting");
  assert.match(r.json.refundOrder.reason, /IBAN is unknown/);
  const waiting = await admin("GET", "/admin/v1/refund-orders");
  assert.ok((waiting.json.items as { id: string }[]).some((o) => o.id === orderId));

  const bad = await admin("PUT", `/admin/v1/refund-orders/${orderId}/beneficiary`, { iban: "DE89370400440532013001", name: "Eva Muster" });
  assert.deepEqual([bad.status, bad.json.error, bad.json.field], [400, "invalid_iban", "iban"]);
  assert.equal((await admin("GET", "/admin/v1/refund-orders")).json.items.some((o: { id: string }) => o.id === orderId), true, "nothing written");
  const set = await admin("PUT", `/admin/v1/refund-orders/${orderId}/beneficiary`, { iban: "de89 3704 0044 0532 0130 00", name: "Eva Muster" });
  assert.equal(set.status, 200, set.text);
  assert.deepEqual([set.json.status, set.json.creditorIban, set.json.creditorName], ["pending", "DE89370400440532013000", "Eva Muster"]);

  const ex = await admin("POST", "/admin/v1/refund-exports");
  assert.ok((ex.json.exported as { id: string }[]).some((o) => o.id === orderId), ex.text);
  assert.ok((await validateXml(ex.json.pain001, PAIN001_XSD)).ok);
  const late = await admin("PUT", `/admin/v1/refund-orders/${orderId}/beneficiary`, { iban: "DE89370400440532013000", name: "Eva" });
  assert.deepEqual([late.status, late.json.error], [409, "illegal_transition"]);
  assert.match(late.json.message, /exported/);
  const unknown = await admin("PUT", "/admin/v1/refund-orders/rfo_nothing/beneficiary", { iban: "DE89370400440532013000", name: "Eva" });
  assert.equal(unknown.status, 404);
  await verifyLedgerClean(h.deps);
});

test("assigned to a trading pay-in: it is paid through the trading matcher, with its webhook; another amount is refused", async () => {
  const t = await createHarness({ tweak: (deps) => useFixedRate(deps, "99.12") });
  const hooks = await startWebhookReceiver(() => fx.merchant.apiKey);
  const fx = await setupTrading(t.deps, { settings: { webhookUrl: hooks.url } });
  try {
    const key = await createOperatorKey(t.deps, "trading test");
    const p = await jsonCall(t.app, "POST", "/payment/trading/pay-in", { "x-api-key": fx.merchant.apiKey }, { fiatAmount: 7100 });
    assert.equal(p.status, 201, p.text);
    const arrive = (amountMinor: bigint, requisiteId: string | null) =>
      receiveBankTransfer(t.deps, { externalId: `coll-${++seq}`, feed: "test-statement", amountMinor, currency: "RUB", requisiteId, reference: null, payerName: "Ivan", payerIban: null, receivedAt: t.clock.now() });

    const off = await arrive(710_100n, p.json.requisite.id);
    assert.equal(off.outcome, "unmatched");
    const refused = await jsonCall(t.app, "POST", `/admin/v1/unmatched-transfers/${off.transferId}/assign`, operatorHeader(key), { tradingPayinId: p.json.id });
    assert.equal(refused.status, 409, refused.text);
    assert.equal((await t.deps.database.db.selectFrom("bank_transfers").select("resolution").where("id", "=", off.transferId).executeTakeFirstOrThrow()).resolution, null);

    const right = await arrive(710_000n, null);
    assert.equal(right.outcome, "unmatched");
    const ok = await jsonCall(t.app, "POST", `/admin/v1/unmatched-transfers/${right.transferId}/assign`, operatorHeader(key), { tradingPayinId: p.json.id });
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual([ok.json.outcome, ok.json.tradingPayinId], ["paid", p.json.id]);
    const read = await jsonCall(t.app, "GET", `/payment/trading/${p.json.id}`, { "x-api-key": fx.merchant.apiKey });
    assert.equal(read.json.status, "closed");
    await drainWorker(t.deps);
    assert.ok(hooks.received.some((w) => w.json.id === p.json.id && w.json.status === "closed"), "the pay-in's webhook was sent");
    await verifyLedgerClean(t.deps);
  } finally {
    await hooks.close();
    await t.close();
  }
});
