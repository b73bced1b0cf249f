// The retention purge (issue 21): with every class kept 10 days and a risk rule counting over 7, a
// generation of data made on day 0 and another on day 6 are checked on day 11. The worker's purge
// removes each class of the old generation (KYC document files, receipts with their files, finished
// webhook messages, payer IPs and user agents, velocity rows) and keeps the young one; two purges
// running at once share the work without doing a row twice; the counts reach /metrics; the ledger
// still verifies. Time moves only through the test clock.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { submitKycPage } from "../../src/app/kyc/kyc-page.js";
import { purgeRetention, type RetentionCounts } from "../../src/app/ops/retention.js";
import { purgeExpiredTask } from "../../src/jobs/purge-expired.js";
import { sandboxTransfer } from "../support/bank-feed.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { jsonCall } from "../support/json-call.js";
import { configureStore, drain, intentBody } from "../support/intents.js";
import { sample, scrape } from "../support/metrics.js";
import { setupTrading, type TradingFixture, uploadPngReceipt, verifyLedgerClean } from "../support/trading.js";
import { type Receiver, startReceiver } from "../support/webhook-receiver.js";

const DAY_MS = 86_400_000;
const RATES = "EUR/USDT=0.92,EUR/BTC=60000,EUR/ETH=3000,USD/USDT=1,RUB/USDT=95.5";
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(32, 7)]);

let h: Harness;
let A: MerchantFixture;
let trading: TradingFixture;
let receiver: Receiver;

interface Generation {
  intentId: string;
  caseId: string;
  documents: string[];
  payinId: string;
  receiptKey: string;
  receiptFile: string;
}

let seq = 0;
async function makeGeneration(tag: string): Promise<Generation> {
  seq++;
  const r = await jsonCall(h.app, "POST", "/payment/intent", { "x-api-key": A.apiKey }, intentBody(A.storeId, { email: `${tag}.${seq}@example.com`, ip: `198.51.100.${seq}` }));
  assert.equal(r.status, 201, JSON.stringify(r.json));
  await submitKycPage(
    h.deps,
    (r.json.kycUrl as string).split("/kyc/")[1]!,
    { firstName: "Ana", lastName: "Garcia", birthDate: "1990-04-01", documentType: "passport", documentNumber: `X${seq}234567`, country: "ES", nationality: "ES" },
    [{ kind: "documentFront", data: PNG }, { kind: "selfie", data: PNG }],
  );
  await drain(h);
  const kyc = await sql<{ id: string; files: string[]; decided_at: Date | null }>`
    SELECT c.id, c.files, c.decided_at FROM kyc_cases c JOIN payment_intents i ON i.kyc_case_id = c.id WHERE i.id = ${r.json.paymentIntentId}`.execute(h.deps.database.db);
  assert.ok(kyc.rows[0]!.decided_at, "the sandbox vendor decided the case");

  const p = await h.app.inject({
    method: "POST",
    url: "/payment/trading/pay-in",
    headers: { "x-api-key": trading.merchant.apiKey, "content-type": "application/json" },
    payload: JSON.stringify({ fiatAmount: 1000 + seq, callbackUrl: `${receiver.url}/t`, extra: { payerInfo: { userId: `u-${tag}`, ip: `203.0.113.${seq}`, userAgent: `Agent-${tag}` } } }),
  });
  assert.equal(p.statusCode, 201, p.body);
  const payinId = (p.json() as { id: string }).id;
  const receiptKey = await uploadPngReceipt(h.app, trading.merchant.apiKey, payinId);
  const row = await h.deps.database.db.selectFrom("trading_payins").select(["requisite_id", "fiat_amount_minor"]).where("id", "=", payinId).executeTakeFirstOrThrow();
  const paid = await sandboxTransfer(h.app, { apiKey: trading.merchant.apiKey }, { requisiteId: row.requisite_id, amount: (Number(row.fiat_amount_minor) / 100).toFixed(2) });
  assert.equal(paid.json.outcome, "paid");
  await drain(h);
  const receipt = await h.deps.database.db.selectFrom("trading_receipts").select("storage_key").where("invoice_key", "=", receiptKey).executeTakeFirstOrThrow();
  return { intentId: r.json.paymentIntentId as string, caseId: kyc.rows[0]!.id, documents: kyc.rows[0]!.files, payinId, receiptKey, receiptFile: receipt.storage_key };
}

/** What is left of a generation. */
async function stateOf(g: Generation) {
  const db = h.deps.database.db;
  const files = await Promise.all([...g.documents, g.receiptFile].map(async (k) => (await h.deps.ports.files.get(k)) !== null));
  const kycCase = await db.selectFrom("kyc_cases").select("files").where("id", "=", g.caseId).executeTakeFirstOrThrow();
  const receipt = await db.selectFrom("trading_receipts").select("invoice_key").where("invoice_key", "=", g.receiptKey).executeTakeFirst();
  const messages = await sql<{ n: string }>`SELECT count(*)::text AS n FROM webhook_messages WHERE ordering_key IN (${g.intentId}, ${g.payinId})`.execute(db);
  const intent = await db.selectFrom("payment_intents").select("ip").where("id", "=", g.intentId).executeTakeFirstOrThrow();
  const payin = await sql<{ extra: string }>`SELECT extra::text AS extra FROM trading_payins WHERE id = ${g.payinId}::uuid`.execute(db);
  const velocity = await sql<{ n: string }>`SELECT count(*)::text AS n FROM risk_velocity_events WHERE payment_id = ${g.payinId}`.execute(db);
  return {
    filesStored: files.every(Boolean),
    filesGone: files.every((f) => !f),
    caseFiles: (kycCase.files as string[]).length,
    receipt: receipt !== undefined,
    messages: Number(messages.rows[0]!.n),
    intentIp: intent.ip,
    payerInfo: (JSON.parse(payin.rows[0]!.extra) as { payerInfo: Record<string, string> }).payerInfo,
    velocity: Number(velocity.rows[0]!.n),
  };
}

before(async () => {
  h = await createHarness({
    env: {
      RAMPART_RATES: "fixed",
      RAMPART_FIXED_RATES: RATES,
      RAMPART_ALLOW_PRIVATE_WEBHOOKS: "1",
      RAMPART_RETAIN_KYC_DOCUMENTS_DAYS: "10",
      RAMPART_RETAIN_RECEIPTS_DAYS: "10",
      RAMPART_RETAIN_WEBHOOK_BODIES_DAYS: "10",
      RAMPART_RETAIN_PAYER_IPS_DAYS: "10",
    },
  });
  receiver = await startReceiver();
  A = await createMerchant(h.deps);
  await configureStore(h, A.storeId);
  trading = await setupTrading(h.deps);
  const op = await createOperatorKey(h.deps, "risk");
  const rule = await jsonCall(h.app, "POST", `/admin/v1/risk/rules?merchantId=${trading.merchant.merchantId}`, { "x-operator-key": op }, {
    name: "many per IP in a week",
    weight: 1,
    spec: { kind: "velocity", signal: "ip", measure: "count", windowSeconds: 7 * 86_400, limit: 1000 },
  });
  assert.equal(rule.status, 201, JSON.stringify(rule.json));
});
after(async () => {
  await receiver.close();
  await h.close();
});

const ZERO: RetentionCounts = { kyc_documents: 0, receipts: 0, webhook_bodies: 0, payer_ips: 0, risk_velocity: 0 };

/** Two purges at once, batch 1, until both find nothing; the summed counts. */
async function purgeWithTwoWorkers(): Promise<RetentionCounts> {
  const total = { ...ZERO };
  for (let round = 0; round < 100; round++) {
    const both = await Promise.all([purgeRetention(h.deps, 1), purgeRetention(h.deps, 1)]);
    let n = 0;
    for (const c of both) for (const k of Object.keys(total) as (keyof RetentionCounts)[]) { total[k] += c[k]; n += c[k]; }
    if (n === 0) return total;
  }
  throw new Error("the purge did not finish");
}

test("each data class goes after its retention and younger rows stay", async () => {
  const old = await makeGeneration("old");
  const fresh0 = await stateOf(old);
  assert.equal(fresh0.filesStored, true);
  assert.equal(fresh0.caseFiles, 2);
  assert.equal(fresh0.receipt, true);
  assert.equal(fresh0.velocity, 1);
  assert.ok(fresh0.messages >= 1, "the pay-in's webhooks were delivered and kept");
  assert.notEqual(fresh0.intentIp, "[erased]");

  assert.equal(await purgeExpiredTask.runOnce(h.deps), 0, "nothing is old on day 0");
  h.clock.advance(6 * DAY_MS);
  const young = await makeGeneration("young");
  h.clock.advance(5 * DAY_MS);

  const before = await scrape(h.app);
  const purged = await purgeWithTwoWorkers();
  // Exactly the old generation, each row once although two purges ran side by side.
  assert.deepEqual(purged, { kyc_documents: 1, receipts: 1, webhook_bodies: fresh0.messages, payer_ips: 2, risk_velocity: 1 });
  const afterScrape = await scrape(h.app);
  assert.equal(sample(afterScrape, "rampart_retention_purged_total", { class: "receipts" }) - sample(before, "rampart_retention_purged_total", { class: "receipts" }), 1);
  assert.equal(sample(afterScrape, "rampart_retention_purged_total", { class: "payer_ips" }) - sample(before, "rampart_retention_purged_total", { class: "payer_ips" }), 2);
  await drain(h); // the files.delete jobs written with the purge

  const o = await stateOf(old);
  assert.equal(o.filesGone, true, "the old documents and receipt file are deleted");
  assert.equal(o.caseFiles, 0);
  assert.equal(o.receipt, false);
  assert.equal(o.messages, 0);
  assert.equal(o.intentIp, "[erased]");
  assert.deepEqual(o.payerInfo, { userId: "u-old", ip: "[erased]", userAgent: "[erased]" });
  assert.equal(o.velocity, 0);

  const y = await stateOf(young);
  assert.equal(y.filesStored, true, "the young generation's files stay");
  assert.equal(y.caseFiles, 2);
  assert.equal(y.receipt, true);
  assert.ok(y.messages >= 1);
  assert.notEqual(y.intentIp, "[erased]");
  assert.equal(y.payerInfo.userAgent, "Agent-young");
  assert.match(y.payerInfo.ip!, /^203\.0\.113\.\d+$/);
  assert.equal(y.velocity, 1);

  await verifyLedgerClean(h.deps);
});
