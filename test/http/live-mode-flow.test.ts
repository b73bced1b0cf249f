// A payment intent end to end on live-mode configuration: manual KYC, fixed rates, manual chain, no card
// acquirer (nothing sandbox). 2 → 3 → the operator approves the KYC case → 4 → a camt.053 statement
// carrying its reference is imported (the one inbound path, receiveBankTransfer) → 5 → the payout waits
// in the operator's queue → the operator enters the tx hash → 6, with every IPN at a loopback receiver;
// importing the same statement again changes nothing. An overpaid intent is refunded (12) through a
// pain.001 export the ISO schema accepts, and the next statement's debit closes the refund order. The
// console's page of a paid intent shows its KYC case, the bank transfer matched and its ledger transfers.
// Two operators entering a hash at once complete it exactly once; one transaction pays one payout (or
// withdrawal). The ledger verifies clean.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { importBankStatement } from "../../src/app/bank-statements/import-statement.js";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { loadConfig, sandboxAdaptersInLive } from "../../src/config/config.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { LIVE_ENV, createHarness, type Harness } from "../support/harness.js";
import { jsonCall, operatorHeader } from "../support/json-call.js";
import { fundMerchantBalance } from "../support/merchant-funds.js";
import { advanceAndDrain, configureStore, drain, intentBody, ipnStatuses, kycFields } from "../support/intents.js";
import { staffSession } from "../support/staff.js";
import { camt053 } from "../support/statements.js";
import { verifyLedgerClean } from "../support/trading.js";
import { type Receiver, startReceiver } from "../support/webhook-receiver.js";
import { PAIN001_XSD, validateXml } from "../support/xml-schema.js";

let h: Harness;
let m: MerchantFixture;
let ipnSecret: string;
let receiver: Receiver;
let operatorKey: string;
/** The collection account of the store's instructions, whose statements the operator imports. */
const ACCOUNT = "ES9121000418450200051332";

const api = (method: "GET" | "POST", url: string, body?: unknown) => jsonCall(h.app, method, url, { "x-api-key": m.apiKey }, body);
const admin = (method: "GET" | "POST", url: string, body?: unknown) => jsonCall(h.app, method, url, operatorHeader(operatorKey), body);
const statusOf = async (id: string) => (await api("GET", `/payment/intent/${id}/status`)).json as { status: number; txHash: string | null };
const importStatement = (file: Buffer) => importBankStatement(h.deps, { file, fileName: "statement.xml", account: null, csvMapping: undefined, skipRejected: false, source: "api" });
const transferCount = async () => Number((await h.deps.database.db.selectFrom("bank_transfers").select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow()).n);

before(async () => {
  assert.deepEqual(sandboxAdaptersInLive(loadConfig(LIVE_ENV)), [], "a configuration live mode accepts");
  h = await createHarness({ env: LIVE_ENV });
  m = await createMerchant(h.deps);
  ipnSecret = await configureStore(h, m.storeId);
  receiver = await startReceiver();
  operatorKey = await createOperatorKey(h.deps, "live test");
});
after(async () => {
  await receiver?.close();
  await h?.close();
});

/** A live intent whose KYC the operator approved (4): its id, payment reference and amount to transfer. */
async function intentAtFour(email: string): Promise<{ id: string; reference: string; amount: string }> {
  const c = await api("POST", "/payment/intent", intentBody(m.storeId, { email, ipnUrl: `${receiver.url}/ipn`, ...kycFields() }));
  assert.equal(c.status, 201, c.text);
  const id = c.json.paymentIntentId as string;
  // Manual KYC decides nothing: the case waits in the review queue however long it takes.
  await advanceAndDrain(h, 3_600_000);
  assert.equal((await statusOf(id)).status, 3);
  const queue = await admin("GET", "/admin/v1/kyc/reviews");
  const kase = (queue.json.items as { id: string; email: string }[]).find((i) => i.email === email);
  assert.ok(kase, "the case is in the review queue");
  assert.equal((await admin("POST", `/admin/v1/kyc/cases/${kase.id}/approve`)).json.status, "approved");
  assert.equal((await statusOf(id)).status, 4);
  const ins = (await api("GET", `/payment/intent/${id}/instructions`)).json;
  return { id, reference: ins.bankTransfer.reference, amount: Number(ins.fiatAmount).toFixed(2) };
}

/** The payer's transfer arrives on the account's camt.053 statement, with the reference in the remittance. */
const paymentStatement = (intent: { id: string; reference: string; amount: string }) =>
  camt053(ACCOUNT, [{ ref: `E2E-${intent.id}`, amount: intent.amount, remittance: `Order ${intent.reference}`, payerName: "Ana Garcia", payerIban: "DE89370400440532013000" }]);

/** An approved intent paid by the imported statement (5): its id and the statement, to import again. */
async function intentAtFive(email: string): Promise<{ id: string; statement: Buffer }> {
  const intent = await intentAtFour(email);
  const statement = paymentStatement(intent);
  const report = await importStatement(statement);
  assert.deepEqual([report.format, report.account, report.matched, report.unmatched, report.duplicates], ["camt.053", ACCOUNT, 1, 0, 0]);
  assert.equal(report.lines[0]!.intentId, intent.id);
  // The payout job runs and the manual chain sends nothing: the payout waits for the operator.
  await advanceAndDrain(h, 60_000, 3);
  assert.equal((await statusOf(intent.id)).status, 5);
  return { id: intent.id, statement };
}

test("2 → 3 → operator approves → 4 → camt.053 imported → 5 → operator enters the tx hash → 6, with IPNs; the same statement again changes nothing", async () => {
  const { id, statement } = await intentAtFive("live.one@example.com");

  const queue = await admin("GET", "/admin/v1/payouts");
  assert.equal(queue.status, 200, queue.text);
  const payout = (queue.json.items as { id: string; intentId: string }[]).find((p) => p.intentId === id) as Record<string, unknown> | undefined;
  assert.ok(payout, "the payout is in the operator's queue");
  assert.equal(payout.status, "awaiting_operator");
  assert.equal(payout.network, "trc20");
  assert.equal(payout.asset, "USDT");
  assert.match(String(payout.amount), /^\d+\.\d{6}$/);
  assert.equal(payout.txHash, null);

  const bad = await admin("POST", `/admin/v1/payouts/${payout.id}/tx-hash`, { txHash: "0xnot-a-hash" });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.field, "txHash");
  assert.equal((await statusOf(id)).status, 5, "nothing written on a bad hash");
  assert.equal((await admin("POST", "/admin/v1/payouts/payout_unknown/tx-hash", { txHash: "a".repeat(64) })).status, 404);
  assert.equal((await jsonCall(h.app, "POST", `/admin/v1/payouts/${payout.id}/tx-hash`, {}, { txHash: "a".repeat(64) })).status, 401);

  const hash = "AB".repeat(32);
  const done = await admin("POST", `/admin/v1/payouts/${payout.id}/tx-hash`, { txHash: hash });
  assert.equal(done.status, 200, done.text);
  assert.deepEqual(done.json, { payoutId: payout.id, intentId: id, status: "confirmed", txHash: hash.toLowerCase(), intentStatus: 6, replayed: false });
  const st = await statusOf(id);
  assert.equal(st.status, 6);
  assert.equal(st.txHash, hash.toLowerCase());

  const again = await admin("POST", `/admin/v1/payouts/${payout.id}/tx-hash`, { txHash: hash });
  assert.equal(again.status, 200);
  assert.equal(again.json.replayed, true);
  const other = await admin("POST", `/admin/v1/payouts/${payout.id}/tx-hash`, { txHash: "cd".repeat(32) });
  assert.equal(other.status, 409);
  assert.equal(other.json.error, "illegal_transition");
  assert.equal(other.json.currentStatus, "confirmed");
  assert.match(other.json.message, /confirmed/);

  const transfers = await transferCount();
  const reimport = await importStatement(statement);
  assert.deepEqual([reimport.matched, reimport.duplicates, reimport.unmatched], [0, 1, 0], "the same statement again: every entry a duplicate");
  assert.equal(await transferCount(), transfers);
  assert.equal((await statusOf(id)).status, 6);

  await drain(h);
  assert.deepEqual(ipnStatuses(receiver.received, id, ipnSecret, Math.floor(h.clock.now().getTime() / 1000)), [2, 3, 4, 5, 6]);
  const confirmed = await admin("GET", "/admin/v1/payouts?status=confirmed");
  assert.ok((confirmed.json.items as { intentId: string }[]).some((p) => p.intentId === id));
  assert.ok(!((await admin("GET", "/admin/v1/payouts")).json.items as { intentId: string }[]).some((p) => p.intentId === id), "no longer waiting");
});

test("an overpayment is refunded (12) through a pain.001 export the ISO schema accepts, closed by the next statement's debit", async () => {
  const intent = await intentAtFour("live.over@example.com");
  const over = (Number(intent.amount) + 5).toFixed(2);
  const credit = await importStatement(
    camt053(ACCOUNT, [{ ref: `E2E-OVER-${intent.id}`, amount: over, remittance: intent.reference, payerName: "Ana Garcia", payerIban: "DE89370400440532013000" }]),
  );
  assert.deepEqual([credit.matched, credit.lines[0]!.intentId, credit.lines[0]!.transferOutcome], [1, intent.id, "refunded"]);
  assert.equal((await statusOf(intent.id)).status, 12);

  const exp = await admin("POST", "/admin/v1/refund-exports");
  assert.equal(exp.status, 201, exp.text);
  const order = (exp.json.exported as { id: string; amount: string; creditorIban: string; creditorName: string }[]).find((o) => o.amount === over);
  assert.ok(order, exp.text);
  assert.deepEqual([order.creditorIban, order.creditorName], ["DE89370400440532013000", "Ana Garcia"], "paid back to the payer the statement named");
  const valid = await validateXml(exp.json.pain001, PAIN001_XSD);
  assert.ok(valid.ok, `the export validates against the ISO 20022 pain.001.001.03 schema: ${valid.output}`);
  assert.match(exp.json.pain001, new RegExp(`<EndToEndId>${order.id}</EndToEndId>`));

  const debit = camt053(ACCOUNT, [{ ref: `E2E-OUT-${order.id}`, amount: over, direction: "DBIT", endToEndId: order.id, payerName: "Ana Garcia", payerIban: "DE89370400440532013000" }]);
  const closing = await importStatement(debit);
  assert.deepEqual([closing.lines[0]!.outcome, closing.lines[0]!.refundOrderId], ["matched", order.id]);
  const closed = await h.deps.database.db.selectFrom("refund_orders").select(["status", "statement_import_id"]).where("id", "=", order.id).executeTakeFirstOrThrow();
  assert.deepEqual([closed.status, closed.statement_import_id], ["closed", closing.importId]);

  await drain(h);
  assert.deepEqual(ipnStatuses(receiver.received, intent.id, ipnSecret, Math.floor(h.clock.now().getTime() / 1000)), [2, 3, 4, 5, 12]);
  await verifyLedgerClean(h.deps);
});

test("two operators entering hashes at once: the payout completes exactly once, with one 6 IPN", async () => {
  const { id } = await intentAtFive("live.two@example.com");
  const payoutId = `payout_${id}`;
  const [a, b] = ["11".repeat(32), "22".repeat(32)];
  const answers = await Promise.all([a, b, a, b].map((txHash) => admin("POST", `/admin/v1/payouts/${payoutId}/tx-hash`, { txHash })));
  const fresh = answers.filter((r) => r.status === 200 && r.json.replayed === false);
  assert.equal(fresh.length, 1, JSON.stringify(answers.map((r) => r.json)));
  const winner = fresh[0]!.json.txHash as string;
  for (const r of answers) {
    if (r.status === 200) assert.equal(r.json.txHash, winner);
    else assert.equal(r.status, 409);
  }
  assert.equal(answers.filter((r) => r.status === 409).length, 2, "the other hash is refused both times");
  assert.equal((await statusOf(id)).txHash, winner);
  await drain(h);
  const statuses = ipnStatuses(receiver.received, id, ipnSecret, Math.floor(h.clock.now().getTime() / 1000));
  assert.deepEqual(statuses, [2, 3, 4, 5, 6]);
});

test("one transaction pays one payout: a hash recorded for a payout is refused (409 tx_hash_already_used) on another payout and on a withdrawal, nothing written", async () => {
  const first = await intentAtFive("live.three@example.com");
  const second = await intentAtFive("live.four@example.com");
  const hash = "33".repeat(32);
  assert.equal((await admin("POST", `/admin/v1/payouts/payout_${first.id}/tx-hash`, { txHash: hash })).status, 200);
  const reused = await admin("POST", `/admin/v1/payouts/payout_${second.id}/tx-hash`, { txHash: hash.toUpperCase() });
  assert.equal(reused.status, 409, reused.text);
  assert.equal(reused.json.error, "tx_hash_already_used");
  assert.equal(reused.json.field, "txHash");
  assert.match(reused.json.message, new RegExp(`payout:payout_${first.id}`));
  assert.equal((await statusOf(second.id)).status, 5, "nothing written");
  assert.equal((await admin("POST", `/admin/v1/payouts/payout_${first.id}/tx-hash`, { txHash: hash })).json.replayed, true, "its own payout replays it");

  // A withdrawal on the same chain (TRON) cannot be settled by it either.
  await fundMerchantBalance(h.deps, m.merchantId, 100_000_000n);
  const added = await api("POST", "/merchant/v1/withdrawal-addresses", { network: "trc20", address: "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t" });
  assert.equal(added.status, 201, added.text);
  h.clock.advance(7 * 24 * 3_600_000);
  const w = await api("POST", "/merchant/v1/withdrawals", { addressId: added.json.id, asset: "USDT", amount: "10" });
  assert.equal(w.status, 201, w.text);
  await drain(h);
  const refused = await admin("POST", `/admin/v1/withdrawals/${w.json.id}/tx-hash`, { txHash: hash });
  assert.equal(refused.status, 409, refused.text);
  assert.equal(refused.json.error, "tx_hash_already_used");
  assert.equal((await api("GET", `/merchant/v1/withdrawals/${w.json.id}`)).json.status, "approved", "nothing written");
  assert.equal((await admin("POST", `/admin/v1/withdrawals/${w.json.id}/tx-hash`, { txHash: "44".repeat(32) })).json.status, "confirmed");
  // And the withdrawal's hash is refused on the second payout in turn.
  const back = await admin("POST", `/admin/v1/payouts/payout_${second.id}/tx-hash`, { txHash: "44".repeat(32) });
  assert.equal(back.status, 409, back.text);
  assert.equal(back.json.error, "tx_hash_already_used");
  assert.equal((await statusOf(second.id)).status, 5);
});

test("the payout list refuses a bad status or limit with 400", async () => {
  assert.equal((await admin("GET", "/admin/v1/payouts?status=paid")).status, 400);
  assert.equal((await admin("GET", "/admin/v1/payouts?limit=0")).status, 400);
  assert.equal((await admin("GET", "/admin/v1/payouts?limit=101")).status, 400);
});

test("the dashboard overview names the adapter of each port", async () => {
  const { cookie } = await staffSession(h, "viewer");
  const page = await h.app.inject({ method: "GET", url: "/dashboard/overview", headers: { cookie } });
  assert.equal(page.statusCode, 200);
  for (const [port, adapter] of Object.entries({ rates: "fixed", kyc: "manual", sms: "log", chain: "manual", cardAcquirer: "none", bankFeed: "statements" })) {
    assert.match(page.body, new RegExp(`id="adapter-${port}">${adapter}<`), port);
  }
});

test("a paid intent's console page tells its story: the KYC case and its decision, the bank transfer matched, the ledger transfers with their entries", async () => {
  const { id } = await intentAtFive("live.story@example.com");
  const { cookie } = await staffSession(h, "viewer");
  const page = await h.app.inject({ method: "GET", url: `/dashboard/payments/${id}`, headers: { cookie } });
  assert.equal(page.statusCode, 200, page.body);
  const section = (sid: string) => new RegExp(`<section class="card" id="${sid}">([\\s\\S]*?)</section>`).exec(page.body)?.[1] ?? "";
  const kyc = section("kyc");
  assert.match(kyc, /level KYC_1 <span[^>]*data-status="approved">approved<\/span> · decided/);
  assert.match(kyc, /review → approved by support/, "the operator's decision in the case's history");
  const transfers = section("bank-transfers");
  assert.match(transfers, new RegExp(`stmt:${ACCOUNT}:E2E-${id}</td><td class="mono">100\\.00 EUR</td>\\s*<td>paid</td><td>statement:camt\\.053</td>`));
  // The intent's own transfers (ref payment_intent): the fiat in with its three entries, then the payout's hold.
  const ledger = section("ledger");
  assert.deepEqual([...ledger.matchAll(/<h3><span class="mono small-id">([a-z_]+)<\/span>/g)].map((m) => m[1]), ["intent_fiat_in", "intent_payout_hold"]);
  const fiatIn = /<div data-transfer="intent:[^"]*:fiat_in:[^"]*">([\s\S]*?)<\/div><\/div>/.exec(ledger)?.[1] ?? "";
  assert.deepEqual(
    [...fiatIn.matchAll(/<tr><td class="mono small-id">([^<]*)<\/td><td>([^<]*)<\/td><td class="mono">([^<]*)<\/td><\/tr>/g)].map((m) => m.slice(1).join(" ")),
    ["platform fee_revenue 1.75 EUR", "platform fiat_clearing -100.00 EUR", "platform platform_inventory 98.25 EUR"],
  );
});
