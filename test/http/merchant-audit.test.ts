// Changes a merchant makes through /merchant/v1 with its API key are audited (issue 19): the settings
// PATCH, creating and revoking keys, webhook endpoint changes, withdrawal addresses and requests, risk
// rules. Each writes one entry with the actor merchant-key:<key id>, named by the key's label, in the
// transaction of the change; a refused or failed change and a read write none; the operator console's
// audit section lists them.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { addMerchantKey } from "../../src/app/merchants/merchants.js";
import { auditEntryCount, lastAuditEntry } from "../support/audit-entries.js";
import { createHarness, type Harness } from "../support/harness.js";
import { jsonCall, type Json, type Method } from "../support/json-call.js";
import { fundMerchantBalance } from "../support/merchant-funds.js";
import { getPage, staffSession } from "../support/staff.js";
import { setupTrading, type TradingFixture } from "../support/trading.js";

let h: Harness;
let fx: TradingFixture;
let keyId: string;

before(async () => {
  h = await createHarness();
  fx = await setupTrading(h.deps);
  const keys = await jsonCall(h.app, "GET", "/merchant/v1/keys", { "x-api-key": fx.merchant.apiKey });
  keyId = keys.json.items[0].apiKeyId;
});
after(async () => h?.close());

const call = (method: Method, url: string, body?: unknown, key = fx.merchant.apiKey) => jsonCall(h.app, method, url, { "x-api-key": key }, body);

/** Makes the call, expects `status` and exactly one new entry; returns the call's body and the entry. */
async function audited(method: Method, url: string, body: unknown, status: number): Promise<{ res: Json; entry: Awaited<ReturnType<typeof lastAuditEntry>> }> {
  const before = await auditEntryCount(h.deps);
  const r = await call(method, url, body);
  assert.equal(r.status, status, `${method} ${url}: ${r.text}`);
  assert.equal(await auditEntryCount(h.deps), before + 1, `${method} ${url} writes one entry`);
  const entry = await lastAuditEntry(h.deps);
  assert.equal(entry.actor, `merchant-key:${keyId}`);
  assert.equal(entry.details.via, "merchant_api");
  assert.equal(entry.details.merchantId, fx.merchant.merchantId);
  return { res: r.json, entry };
}

test("each change through /merchant/v1 writes one entry naming the key; reads write none", async () => {
  const settings = await audited("PATCH", "/merchant/v1/settings", { trading: { paymentWindowMinutes: 20 } }, 200);
  assert.equal(settings.entry.action, "settings.patch");
  assert.deepEqual(settings.entry.details.input, { trading: { paymentWindowMinutes: 20 } });

  const key = await audited("POST", "/merchant/v1/keys", { label: "books", readOnly: true }, 201);
  assert.equal(key.entry.action, "keys");
  const revoked = await audited("DELETE", `/merchant/v1/keys/${key.res.apiKeyId}`, undefined, 200);
  assert.deepEqual([revoked.entry.action, revoked.entry.subject], ["keys.delete", key.res.apiKeyId]);

  const hook = await audited("POST", "/merchant/v1/webhook-endpoints", { url: "https://shop.example/events", eventTypes: ["*"] }, 201);
  assert.equal(hook.entry.action, "webhook-endpoints");
  assert.ok(!JSON.stringify(hook.entry).includes(hook.res.secret), "the secret is never in the log");
  const patched = await audited("PATCH", `/merchant/v1/webhook-endpoints/${hook.res.endpointId}`, { enabled: false }, 200);
  assert.deepEqual([patched.entry.action, patched.entry.subject], ["webhook-endpoints.patch", hook.res.endpointId]);
  const rotated = await audited("POST", `/merchant/v1/webhook-endpoints/${hook.res.endpointId}/rotate-secret`, {}, 200);
  assert.equal(rotated.entry.action, "webhook-endpoints.rotate-secret");
  assert.ok(!JSON.stringify(rotated.entry).includes(rotated.res.secret));

  await fundMerchantBalance(h.deps, fx.merchant.merchantId, 50_000_000n);
  const address = await audited("POST", "/merchant/v1/withdrawal-addresses", { network: "erc20", address: "0x52908400098527886E0F7030069857D2E4169EE7" }, 201);
  assert.equal(address.entry.action, "withdrawal-addresses");
  h.clock.advance(24 * 3_600_000);
  const withdrawal = await audited("POST", "/merchant/v1/withdrawals", { addressId: address.res.id, asset: "USDT", amount: "10" }, 201);
  assert.equal(withdrawal.entry.action, "withdrawals");

  const rule = await audited("POST", "/merchant/v1/risk/rules", { name: "Disposable e-mail", weight: 40, spec: { kind: "disposable_email" } }, 201);
  assert.equal(rule.entry.action, "risk.rules");

  const before = await auditEntryCount(h.deps);
  for (const url of ["/merchant/v1/settings", "/merchant/v1/keys", "/merchant/v1/webhook-endpoints", "/merchant/v1/withdrawals"]) assert.equal((await call("GET", url)).status, 200);
  assert.equal(await auditEntryCount(h.deps), before, "reads are not actions");
});

test("a refused change writes no entry: bad input, a read-only key, another merchant's object", async () => {
  const ro = (await addMerchantKey(h.deps, fx.merchant.merchantId, "reporting", true)).apiKey;
  const before = await auditEntryCount(h.deps);
  assert.equal((await call("PATCH", "/merchant/v1/settings", { trading: { paymentWindowMinutes: 0 } })).status, 400);
  assert.equal((await call("PATCH", "/merchant/v1/settings", { trading: { paymentWindowMinutes: 30 } }, ro)).status, 403);
  assert.equal((await call("POST", "/merchant/v1/webhook-endpoints", { url: "ftp://x", eventTypes: ["*"] })).status, 400);
  assert.equal((await call("PATCH", "/merchant/v1/webhook-endpoints/00000000-0000-4000-8000-000000000000", { enabled: true })).status, 404);
  assert.equal((await call("DELETE", "/merchant/v1/keys/nothing")).status, 404);
  assert.equal(await auditEntryCount(h.deps), before);
});

test("the operator console's audit section lists the merchant's changes by the key", async () => {
  const s = await staffSession(h, "admin");
  const page = await getPage(h, s, `/dashboard/audit?actor=${encodeURIComponent(`merchant-key:${keyId}`)}`);
  assert.equal(page.statusCode, 200);
  for (const action of ["settings.patch", "keys.delete", "webhook-endpoints.rotate-secret", "withdrawals"]) assert.ok(page.body.includes(action), action);
});
