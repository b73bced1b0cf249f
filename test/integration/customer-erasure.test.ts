// Erasure on request (issue 21): a payment-intent payer with KYC documents and a paid intent, a card
// customer with a saved card, and a trading payer with a paid pay-in are erased through the operator
// API and the CLI's use case. Afterwards `ledger verify` is clean, none of their personal values is
// anywhere in the database (a real pg_dump on PostgreSQL; every table's rows as text on both), their
// document files are gone, another person's data is untouched, an audit entry records each erasure,
// erasing again says so, and the route keeps its auth rules.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { submitKycPage } from "../../src/app/kyc/kyc-page.js";
import { eraseCustomer } from "../../src/app/privacy/erase-customer.js";
import { sandboxTransfer } from "../support/bank-feed.js";
import { addCard, registerCustomer } from "../support/card-customer.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { jsonCall, operatorHeader } from "../support/json-call.js";
import { advanceAndDrain, configureStore, drain, intentBody } from "../support/intents.js";
import { setupTrading, type TradingFixture, verifyLedgerClean } from "../support/trading.js";
import { type Receiver, startReceiver } from "../support/webhook-receiver.js";

const RATES = "EUR/USDT=0.92,EUR/BTC=60000,EUR/ETH=3000,USD/USDT=1,RUB/USDT=95.5,KZT/USDT=505";

let h: Harness;
let A: MerchantFixture;
let trading: TradingFixture;
let op: string;
let receiver: Receiver;

/** Values of the person erased by e-mail, each distinctive enough to grep for. */
const ANA = {
  email: "ximena.quixote.erase@example.com",
  ip: "198.51.100.77",
  firstName: "Ximena",
  lastName: "Quixotevska",
  documentNumber: "DOCXQ998877",
  phoneNumber: "612345987",
  payerName: "Ximena Quixotevska",
  payerIban: "DE89370400440532013000",
  documentBytes: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from("ERASE-ME-DOCUMENT-BYTES-7731")]),
};
/** Another payer of the same store: nothing of theirs may change. */
const BEA = { email: "beatrix.keepme@example.com", ip: "198.51.100.88", lastName: "Keepmesson", payerName: "Beatrix Keepmesson", payerIban: "FR1420041010050500013M02606" };
const TRADER_PAYER = { userId: "payer-erase-7f3a", ip: "203.0.113.199", userAgent: "EraseAgent/9.1 (distinctive)" };
const TRADER_KEEP = { userId: "payer-keep-1c2d", ip: "203.0.113.200", userAgent: "KeepAgent/2.0" };

const api = (method: "GET" | "POST", url: string, body?: unknown, key = A.apiKey) => jsonCall(h.app, method, url, { "x-api-key": key }, body);
const erase = (body: unknown, key: string | null = op) => jsonCall(h.app, "POST", "/admin/v1/customers/erase", operatorHeader(key), body);

/** Every row of every table in the public schema, as PostgreSQL's text form of the row. */
async function allRowsAsText(): Promise<string> {
  const db = h.deps.database.db;
  const tables = await sql<{ t: string }>`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`.execute(db);
  const parts: string[] = [];
  for (const { t } of tables.rows) {
    const rows = await sql<{ r: string }>`SELECT x::text AS r FROM ${sql.table(t)} x`.execute(db);
    parts.push(`-- ${t}`, ...rows.rows.map((r) => r.r));
  }
  return parts.join("\n");
}

async function pgDump(): Promise<string | null> {
  if (!h.testDb.url) return null;
  const { stdout } = await promisify(execFile)("pg_dump", ["--data-only", "--no-owner", h.testDb.url], { maxBuffer: 256 * 1024 * 1024 });
  return stdout;
}

function assertAbsent(dump: string, values: string[], where: string): void {
  for (const v of values) assert.equal(dump.includes(v), false, `${where} still holds ${JSON.stringify(v)}`);
}

function assertPresent(dump: string, values: string[], where: string): void {
  for (const v of values) assert.equal(dump.includes(v), true, `${where} lost ${JSON.stringify(v)} of a person not erased`);
}

let anaDocumentKeys: string[] = [];
let card: { customerId: string; phone: string; number: string } = { customerId: "", phone: "", number: "" };

async function createIntent(email: string, ip: string, over: Record<string, unknown> = {}): Promise<{ id: string; kycUrl: string | null }> {
  const r = await api("POST", "/payment/intent", intentBody(A.storeId, { email, ip, ipnUrl: `${receiver.url}/ipn`, ...over }));
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return { id: r.json.paymentIntentId as string, kycUrl: r.json.kycUrl as string | null };
}

async function payByReference(id: string, payer: { name: string; iban: string }): Promise<void> {
  const instr = (await api("GET", `/payment/intent/${id}/instructions`)).json;
  const res = await sandboxTransfer(h.app, { apiKey: A.apiKey }, { reference: instr.bankTransfer.reference, amount: "100.00", currency: "EUR", payerName: payer.name, payerIban: payer.iban });
  assert.equal(res.json.outcome, "paid", JSON.stringify(res.json));
}

async function tradingPayin(who: { userId: string; ip: string; userAgent: string }, fiat: number, payerName: string): Promise<string> {
  const r = await h.app.inject({
    method: "POST",
    url: "/payment/trading/pay-in",
    headers: { "x-api-key": trading.merchant.apiKey, "content-type": "application/json" },
    payload: JSON.stringify({ fiatAmount: fiat, callbackUrl: `${receiver.url}/trading`, extra: { payerInfo: who, orderRef: "keep-this-order-ref" } }),
  });
  assert.equal(r.statusCode, 201, r.body);
  const id = (r.json() as { id: string }).id;
  const row = await h.deps.database.db.selectFrom("trading_payins").select(["requisite_id", "fiat_amount_minor"]).where("id", "=", id).executeTakeFirstOrThrow();
  const res = await sandboxTransfer(h.app, { apiKey: trading.merchant.apiKey }, { requisiteId: row.requisite_id, amount: (Number(row.fiat_amount_minor) / 100).toFixed(2), payerName });
  assert.equal(res.json.outcome, "paid", JSON.stringify(res.json));
  return id;
}

before(async () => {
  h = await createHarness({ env: { RAMPART_RATES: "fixed", RAMPART_FIXED_RATES: RATES, RAMPART_ALLOW_PRIVATE_WEBHOOKS: "1" } });
  receiver = await startReceiver();
  op = await createOperatorKey(h.deps, "privacy desk");
  A = await createMerchant(h.deps);
  await configureStore(h, A.storeId);

  // Ana: an intent that needs KYC, passed on the hosted page with a document upload, then paid.
  const ana = await createIntent(ANA.email, ANA.ip, { phoneCountryCode: "+34", phoneNumber: ANA.phoneNumber });
  assert.ok(ana.kycUrl, "the intent asks for KYC");
  await submitKycPage(
    h.deps,
    ana.kycUrl.split("/kyc/")[1]!,
    { firstName: ANA.firstName, lastName: ANA.lastName, birthDate: "1991-02-03", documentType: "passport", documentNumber: ANA.documentNumber, country: "ES", nationality: "ES" },
    [{ kind: "documentFront", data: ANA.documentBytes }, { kind: "selfie", data: ANA.documentBytes }],
  );
  await drain(h);
  const kycCase = await sql<{ files: string[] }>`SELECT c.files FROM kyc_cases c JOIN payment_intents i ON i.kyc_case_id = c.id WHERE i.id = ${ana.id}`.execute(h.deps.database.db);
  anaDocumentKeys = kycCase.rows[0]!.files;
  assert.equal(anaDocumentKeys.length, 2);
  for (const k of anaDocumentKeys) assert.ok(await h.deps.ports.files.get(k), "the document is stored");
  await payByReference(ana.id, { name: ANA.payerName, iban: ANA.payerIban });

  // Bea: same store, KYC fields sent with the create, paid.
  const bea = await createIntent(BEA.email, BEA.ip, { firstName: "Beatrix", lastName: BEA.lastName, birthDate: "1985-01-01", documentType: "passport", documentNumber: "KEEP123456", documentCountry: "ES", nationality: "ES" });
  await drain(h);
  await payByReference(bea.id, { name: BEA.payerName, iban: BEA.payerIban });
  await advanceAndDrain(h, 1000, 6);

  // A card customer with a saved card.
  const who = await registerCustomer(h.app, A.merchantId);
  await addCard(h.app, who, "4000000000003220");
  const row = await h.deps.database.db.selectFrom("card_customers").select(["id", "number"]).where("phone", "=", who.phone).executeTakeFirstOrThrow();
  card = { customerId: row.id, phone: who.phone, number: String(row.number) };

  // Two trading payers of one merchant, each with a paid pay-in and its webhook.
  trading = await setupTrading(h.deps);
  await tradingPayin(TRADER_PAYER, 1000, "Quentin Erasmusberg");
  await tradingPayin(TRADER_KEEP, 1001, "Kepler Keeperton");
  await drain(h);
});
after(async () => {
  await receiver.close();
  await h.close();
});

describe("customer erasure", () => {
  test("the operator route needs an operator key and a known person", async () => {
    assert.equal((await erase({ kind: "intent_email", storeId: A.storeId, email: ANA.email }, null)).status, 401);
    assert.equal((await erase({ kind: "intent_email", storeId: A.storeId, email: ANA.email }, "rop_bogus_key")).status, 401);
    const merchantKey = await jsonCall(h.app, "POST", "/admin/v1/customers/erase", { "x-api-key": A.apiKey }, { kind: "intent_email", storeId: A.storeId, email: ANA.email });
    assert.equal(merchantKey.status, 401, "a merchant key is no operator key");
    const unknown = await erase({ kind: "intent_email", storeId: A.storeId, email: "nobody@example.com" });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error, "customer_not_found");
    // An e-mail identifies a payer within one store only: another merchant's store does not find Ana.
    const other = await createMerchant(h.deps);
    const wrongStore = await erase({ kind: "intent_email", storeId: other.storeId, email: ANA.email });
    assert.equal(wrongStore.status, 404);
    const wrongMerchant = await erase({ kind: "trading_payer", merchantId: A.merchantId, userId: TRADER_PAYER.userId });
    assert.equal(wrongMerchant.status, 404, "a payer userId belongs to its own merchant");
    assert.equal((await erase({ kind: "card_customer", customerId: "not-a-customer" })).status, 400);
    assert.equal((await erase({ kind: "intent_email", storeId: A.storeId, email: ANA.email, extra: 1 })).status, 400);
    const before = await allRowsAsText();
    assertPresent(before, [ANA.email, ANA.ip, ANA.lastName, ANA.documentNumber, ANA.payerIban, card.phone, TRADER_PAYER.ip, TRADER_PAYER.userAgent], "before erasure the database");
  });

  test("erasing the intent payer removes every personal value, keeps the records and the ledger, and is audited", async () => {
    const r = await erase({ kind: "intent_email", storeId: A.storeId, email: ANA.email.toUpperCase() });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json.alreadyErased, false);
    assert.equal(r.json.records.kyc_users, 1);
    assert.equal(r.json.records.kyc_cases, 1);
    assert.equal(r.json.records.kyc_document_files, 2);
    assert.equal(r.json.records.payment_intents, 1);
    assert.equal(r.json.records.bank_transfers, 1);
    for (const k of anaDocumentKeys) assert.equal(await h.deps.ports.files.get(k), null, `document ${k} deleted`);

    const intent = await h.deps.database.db.selectFrom("payment_intents").selectAll().where("store_id", "=", A.storeId).where("email", "=", "[erased]").executeTakeFirstOrThrow();
    assert.equal(intent.ip, "[erased]");
    assert.equal(intent.fiat_minor, "10000", "the payment record keeps its amount");
    assert.equal(intent.status, 6, "and its status");

    const audit = await sql<{ actor: string; action: string; subject: string; details: Record<string, unknown>; ip: string | null }>`
      SELECT actor, action, subject, details, ip FROM audit_log WHERE id = ${r.json.auditId}::bigint`.execute(h.deps.database.db);
    const entry = audit.rows[0]!;
    assert.match(entry.actor, /^operator:/);
    assert.equal(entry.action, "customer.erase");
    assert.equal(entry.subject, r.json.subject);
    assert.equal((entry.details as { actorName: string }).actorName, "privacy desk");
    assert.equal(((entry.details as { records: Record<string, number> }).records).kyc_cases, 1);
    assert.ok(entry.ip);
    await assert.rejects(sql`UPDATE audit_log SET actor = 'x'`.execute(h.deps.database.db), /append-only/);
    await assert.rejects(sql`DELETE FROM audit_log`.execute(h.deps.database.db), /append-only/);

    const again = await erase({ kind: "intent_email", storeId: A.storeId, email: ANA.email });
    assert.equal(again.status, 200);
    assert.equal(again.json.alreadyErased, true);
    assert.equal(again.json.subject, r.json.subject);
    assert.ok(Object.values(again.json.records as Record<string, number>).every((n) => n === 0), JSON.stringify(again.json.records));
  });

  test("erasing a card customer (by number) and a trading payer", async () => {
    const c = await eraseCustomer(h.deps, { kind: "card_customer", customerId: card.number }, { kind: "cli", user: "dpo" });
    assert.equal(c.records.card_customers, 1);
    assert.equal(c.records.card_cards, 1);
    const signIn = await h.app.inject({ method: "POST", url: "/v2/mobile/token", headers: { "x-merchant-id": A.merchantId }, payload: { phone: card.phone, password: "correct horse 42" } });
    assert.notEqual(signIn.statusCode, 200, "the erased customer can no longer sign in");
    const t = await erase({ kind: "trading_payer", merchantId: trading.merchant.merchantId, userId: TRADER_PAYER.userId });
    assert.equal(t.status, 200, JSON.stringify(t.json));
    assert.equal(t.json.records.trading_payins, 1);
    assert.equal(t.json.records.bank_transfers, 1);
    assert.ok(t.json.records.webhook_bodies >= 1, "the pay-in's webhooks echoed its extra, payerInfo included");
    const payins = await sql<{ extra: string }>`SELECT extra::text AS extra FROM trading_payins WHERE merchant_id = ${trading.merchant.merchantId}::uuid ORDER BY fiat_amount_minor`.execute(h.deps.database.db);
    const erased = JSON.parse(payins.rows[0]!.extra) as { payerInfo: Record<string, string>; orderRef: string };
    assert.deepEqual(erased.payerInfo, { userId: "[erased]", ip: "[erased]", userAgent: "[erased]" });
    assert.equal(erased.orderRef, "keep-this-order-ref", "the merchant's other extra fields stay");
  });

  test("afterwards the ledger verifies, no personal value of the erased is in the database, and the others' data is whole", async () => {
    await verifyLedgerClean(h.deps);
    const gone = [ANA.email, ANA.ip, ANA.firstName, ANA.lastName, ANA.documentNumber, ANA.phoneNumber, ANA.payerName, ANA.payerIban, "ERASE-ME-DOCUMENT-BYTES",
      card.phone, "Lovelace", "ADA LOVELACE", "Unter den Linden",
      TRADER_PAYER.userId, TRADER_PAYER.ip, TRADER_PAYER.userAgent, "Quentin Erasmusberg"];
    const kept = [BEA.email, BEA.ip, BEA.lastName, BEA.payerName, BEA.payerIban, "KEEP123456", TRADER_KEEP.userId, TRADER_KEEP.ip, TRADER_KEEP.userAgent, "Kepler Keeperton"];
    const rows = await allRowsAsText();
    assertAbsent(rows, gone, "the tables' rows");
    assertPresent(rows, kept, "the tables' rows");
    const dump = await pgDump();
    if (dump !== null) {
      assertAbsent(dump, gone, "pg_dump");
      assertPresent(dump, kept, "pg_dump");
    }
  });
});
