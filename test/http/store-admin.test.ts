// /admin/v1 stores: creating a merchant's store, its payment-intent settings (PUT/GET, validation
// naming the field), IPN secret rotation, and that the settings reach the intents: served countries
// (10002), bank details in the instructions (fixed on entering 4), the IPN signing secret.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { storeIpnSecret } from "../../src/app/intents/store-settings.js";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { verifyIpn } from "../../src/core/webhooks/signatures.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { type Json, jsonCall, operatorHeader } from "../support/json-call.js";
import { INTENT_RATES_ENV, STORE_BANK, drain, intentBody, ipnStatuses, kycFields, parseIpn, seedPairs, storeSettingsBody } from "../support/intents.js";
import { type Receiver, startReceiver } from "../support/webhook-receiver.js";

let h: Harness;
let m: MerchantFixture;
let op: string;
let rx: Receiver;

before(async () => {
  h = await createHarness({ env: INTENT_RATES_ENV });
  await seedPairs(h);
  m = await createMerchant(h.deps);
  op = await createOperatorKey(h.deps, "test");
  rx = await startReceiver();
});
after(async () => {
  await rx?.close();
  await h?.close();
});

const admin = (method: "GET" | "POST" | "PUT", url: string, body?: unknown, key: string | null = op) => jsonCall(h.app, method, url, operatorHeader(key), body);
const api = (method: "GET" | "POST", url: string, body?: unknown) => jsonCall(h.app, method, url, { "x-api-key": m.apiKey }, body);

const BANK = STORE_BANK;
const NEW_BANK = { iban: "DE89370400440532013000", bic: "COBADEFFXXX", beneficiary: "Shop One GmbH", bankName: "Commerzbank" };

const settings = storeSettingsBody;

let storeSeq = 0;
/** A new store of merchant m, with settings when given; returns its id and, with settings, the IPN secret. */
async function newStore(withSettings?: Json): Promise<{ storeId: string; ipnSecret: string | null }> {
  const r = await admin("POST", `/admin/v1/merchants/${m.merchantId}/stores`, {
    name: `Shop ${++storeSeq}`,
    ...(withSettings ? { intentSettings: withSettings } : {}),
  });
  assert.equal(r.status, 201, r.text);
  return { storeId: r.json.storeId, ipnSecret: r.json.intentSettings?.ipnSecret ?? null };
}

async function createIntent(storeId: string, over: Json = {}) {
  const r = await api("POST", "/payment/intent", intentBody(storeId, over));
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return r.json as { paymentIntentId: string; status: number };
}

const nowS = () => Math.floor(h.clock.now().getTime() / 1000);

test("every route needs an operator key", async () => {
  const { storeId } = await newStore(settings());
  const calls: [("GET" | "POST" | "PUT"), string, unknown][] = [
    ["POST", `/admin/v1/merchants/${m.merchantId}/stores`, { name: "x" }],
    ["GET", `/admin/v1/stores/${storeId}/intent-settings`, undefined],
    ["PUT", `/admin/v1/stores/${storeId}/intent-settings`, settings()],
    ["POST", `/admin/v1/stores/${storeId}/ipn-secret/rotate`, undefined],
  ];
  for (const [method, url, body] of calls) {
    for (const key of [null, "rop_wrong", m.apiKey]) {
      const r = await admin(method, url, body, key);
      assert.equal(r.status, 401, `${method} ${url} with ${key ?? "no key"}`);
      assert.equal(r.json.error, "unauthorized");
    }
  }
});

describe("stores and settings", () => {
  test("create a store, PUT its settings (201 with the IPN secret once), GET them; a second PUT replaces them (200, no secret)", async () => {
    const created = await admin("POST", `/admin/v1/merchants/${m.merchantId}/stores`, { name: "  Shop Main  " });
    assert.equal(created.status, 201, created.text);
    const storeId = created.json.storeId as string;
    assert.match(storeId, /^store_[0-9a-z]+$/);
    assert.equal(created.json.merchantId, m.merchantId);
    assert.equal(created.json.name, "Shop Main");
    assert.equal(created.json.intentSettings, null);
    assert.equal((await admin("GET", `/admin/v1/stores/${storeId}/intent-settings`)).status, 404, "no settings yet");

    const put = await admin("PUT", `/admin/v1/stores/${storeId}/intent-settings`, settings({
      servedCountries: ["es", "PT", "ES"],
      bank: { ...BANK, iban: "es91 2100 0418 4502 0005 1332", bic: "caixesbbxxx" },
      paymentWindowSeconds: 1800,
      kycValidityDays: 30,
      acceptAmountMismatch: true,
    }));
    assert.equal(put.status, 201, put.text);
    assert.equal(put.headers["cache-control"], "no-store");
    const secret = put.json.ipnSecret as string;
    assert.match(secret, /^ipn_[A-Za-z0-9_-]{32}$/);
    const expected = {
      storeId,
      servedCountries: ["ES", "PT"],
      bank: BANK,
      paymentWindowSeconds: 1800,
      kycWindowSeconds: 86_400,
      kycValidityDays: 30,
      acceptAmountMismatch: true,
      // The merchant's own defaults (PATCH /merchant/v1/settings): a PUT leaves them.
      defaultIpnUrl: null,
      defaultSuccessUrl: null,
      defaultCancelUrl: null,
    };
    const { ipnSecret: _, updatedAt: putAt, ...putView } = put.json;
    assert.deepEqual(putView, expected, "normalised: countries upper-case and deduplicated, IBAN without spaces, BIC upper-case");
    assert.equal(putAt, h.clock.now().toISOString());

    const got = await admin("GET", `/admin/v1/stores/${storeId}/intent-settings`);
    assert.equal(got.status, 200);
    const { updatedAt: _at, ...gotView } = got.json;
    assert.deepEqual(gotView, expected);
    assert.ok(!got.text.includes(secret) && !("ipnSecret" in got.json), "GET never shows the IPN secret");
    const row = await h.deps.database.db.selectFrom("intent_store_settings").select("ipn_secret_enc").where("store_id", "=", storeId).executeTakeFirstOrThrow();
    assert.ok(!row.ipn_secret_enc.includes(secret), "stored encrypted");

    const again = await admin("PUT", `/admin/v1/stores/${storeId}/intent-settings`, settings({ servedCountries: ["FR"], bank: NEW_BANK }));
    assert.equal(again.status, 200, again.text);
    assert.ok(!("ipnSecret" in again.json), "a later PUT does not return the secret");
    const after = (await admin("GET", `/admin/v1/stores/${storeId}/intent-settings`)).json;
    assert.deepEqual(after.servedCountries, ["FR"]);
    assert.deepEqual(after.bank, NEW_BANK);
    assert.equal(after.acceptAmountMismatch, false, "PUT replaces every field");
    assert.equal(after.paymentWindowSeconds, 3600);
    assert.equal(await storeIpnSecret(h.deps, storeId), secret, "a PUT keeps the IPN secret");
  });

  test("a store created with its settings in one call; its id may be chosen, and taken again is 409", async () => {
    const id = `shop_${Date.now()}`;
    const r = await admin("POST", `/admin/v1/merchants/${m.merchantId}/stores`, { id, name: "Chosen", intentSettings: settings() });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.storeId, id);
    assert.equal(r.headers["cache-control"], "no-store");
    assert.deepEqual(r.json.intentSettings.servedCountries, ["ES", "PT"]);
    assert.equal(await storeIpnSecret(h.deps, id), r.json.intentSettings.ipnSecret);
    const dup = await admin("POST", `/admin/v1/merchants/${m.merchantId}/stores`, { id, name: "Again" });
    assert.equal(dup.status, 409);
    assert.equal(dup.json.error, "conflict");
    assert.equal(dup.json.field, "id");
  });

  test("a store with bad settings is not created at all", async () => {
    const id = `shop_bad_${Date.now()}`;
    const r = await admin("POST", `/admin/v1/merchants/${m.merchantId}/stores`, { id, name: "Bad", intentSettings: settings({ bank: { ...BANK, iban: "ES0021000418450200051332" } }) });
    assert.equal(r.status, 400);
    assert.equal(r.json.field, "intentSettings.bank.iban");
    assert.equal((await admin("GET", `/admin/v1/stores/${id}/intent-settings`)).status, 404);
    const row = await h.deps.database.db.selectFrom("stores").select("id").where("id", "=", id).executeTakeFirst();
    assert.equal(row, undefined, "the store insert was rolled back with the settings");
  });

  test("unknown merchant or store is 404; a malformed merchant id is 400", async () => {
    const unknown = await admin("POST", "/admin/v1/merchants/00000000-0000-4000-8000-000000000000/stores", { name: "x" });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error, "not_found");
    assert.match(unknown.json.message, /Merchant/);
    const malformed = await admin("POST", "/admin/v1/merchants/nope/stores", { name: "x" });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.json.field, "merchantId");
    for (const [method, url, body] of [
      ["GET", "/admin/v1/stores/store_nope/intent-settings", undefined],
      ["PUT", "/admin/v1/stores/store_nope/intent-settings", settings()],
      ["POST", "/admin/v1/stores/store_nope/ipn-secret/rotate", undefined],
    ] as const) {
      const r = await admin(method, url, body);
      assert.equal(r.status, 404, `${method} ${url}`);
      assert.equal(r.json.error, "not_found");
    }
    const { storeId } = await newStore();
    assert.equal((await admin("POST", `/admin/v1/stores/${storeId}/ipn-secret/rotate`)).status, 404, "no settings, no secret to rotate");
  });

  test("each bad field is 400 validation_failed naming the field; nothing is written", async () => {
    const { storeId } = await newStore(settings());
    const before = (await admin("GET", `/admin/v1/stores/${storeId}/intent-settings`)).json;
    const cases: [string, Json][] = [
      ["servedCountries", settings({ servedCountries: [] })],
      ["servedCountries.1", settings({ servedCountries: ["ES", "XX"] })],
      ["servedCountries.0", settings({ servedCountries: ["ESP"] })],
      ["servedCountries", settings({ servedCountries: Array.from({ length: 251 }, () => "ES") })],
      ["bank.iban", settings({ bank: { ...BANK, iban: "ES9121000418450200051333" } })],
      ["bank.iban", settings({ bank: { ...BANK, iban: "not an iban" } })],
      ["bank.bic", settings({ bank: { ...BANK, bic: "CAIXES" } })],
      ["bank.bic", settings({ bank: { ...BANK, bic: "CAIX-SBBXXX" } })],
      ["bank.beneficiary", settings({ bank: { ...BANK, beneficiary: "   " } })],
      ["bank.beneficiary", settings({ bank: { ...BANK, beneficiary: "x".repeat(71) } })],
      ["bank.bankName", settings({ bank: { ...BANK, bankName: "Bank\nName" } })],
      ["bank.bankName", settings({ bank: { iban: BANK.iban, bic: BANK.bic, beneficiary: BANK.beneficiary } })],
      ["paymentWindowSeconds", settings({ paymentWindowSeconds: 59 })],
      ["paymentWindowSeconds", settings({ paymentWindowSeconds: 30 * 86_400 + 1 })],
      ["paymentWindowSeconds", settings({ paymentWindowSeconds: 3600.5 })],
      ["paymentWindowSeconds", settings({ paymentWindowSeconds: "3600" })],
      ["kycWindowSeconds", settings({ kycWindowSeconds: 0 })],
      ["kycWindowSeconds", settings({ kycWindowSeconds: 31 * 86_400 })],
      ["kycValidityDays", settings({ kycValidityDays: 0 })],
      ["kycValidityDays", settings({ kycValidityDays: 3651 })],
      ["acceptAmountMismatch", settings({ acceptAmountMismatch: "yes" })],
      ["bank", { ...settings(), bank: undefined }],
      ["extra", settings({ extra: 1 })],
    ];
    for (const [field, body] of cases) {
      const r = await admin("PUT", `/admin/v1/stores/${storeId}/intent-settings`, body);
      assert.equal(r.status, 400, `${field}: ${r.text}`);
      assert.equal(r.json.error, "validation_failed", field);
      assert.equal(r.json.field, field, `${JSON.stringify(body).slice(0, 120)} → ${r.text}`);
      assert.ok(r.json.requestId);
    }
    assert.deepEqual((await admin("GET", `/admin/v1/stores/${storeId}/intent-settings`)).json, before);
    // The bounds themselves are accepted.
    const edge = await admin("PUT", `/admin/v1/stores/${storeId}/intent-settings`, settings({ paymentWindowSeconds: 60, kycWindowSeconds: 30 * 86_400, kycValidityDays: 3650 }));
    assert.equal(edge.status, 200, edge.text);
  });
});

describe("settings reach the intents", () => {
  test("a country removed from servedCountries: new intents for it end in 10002, earlier ones are untouched", async () => {
    const { storeId } = await newStore(settings({ servedCountries: ["ES", "PT"] }));
    const before = await createIntent(storeId, { countryIsoCode: "ES" });
    assert.equal(before.status, 2);
    const put = await admin("PUT", `/admin/v1/stores/${storeId}/intent-settings`, settings({ servedCountries: ["PT"] }));
    assert.equal(put.status, 200, put.text);
    const refused = await createIntent(storeId, { countryIsoCode: "ES" });
    assert.equal(refused.status, 10002);
    assert.equal((await createIntent(storeId, { countryIsoCode: "PT" })).status, 2, "the country still served");
    assert.equal((await api("GET", `/payment/intent/${before.paymentIntentId}/status`)).json.status, 2, "an existing intent keeps its status");
    // And back: served again from the next intent on.
    await admin("PUT", `/admin/v1/stores/${storeId}/intent-settings`, settings({ servedCountries: ["PT", "ES"] }));
    assert.equal((await createIntent(storeId, { countryIsoCode: "ES" })).status, 2);
  });

  test("bank details are fixed when an intent enters 4: a PUT changes them for later intents only", async () => {
    const { storeId } = await newStore(settings());
    const first = await createIntent(storeId, kycFields());
    assert.equal(first.status, 4);
    const ins = await api("GET", `/payment/intent/${first.paymentIntentId}/instructions`);
    assert.equal(ins.status, 200);
    const { reference: firstReference, ...firstBank } = ins.json.bankTransfer;
    assert.deepEqual(firstBank, BANK);
    // Still in KYC review (3) when the account changes: it reaches 4 after the PUT.
    const email = `bank.review.${Date.now()}@example.com`;
    const waiting = await createIntent(storeId, { email, ...kycFields("Review") });
    assert.equal(waiting.status, 3);

    assert.equal((await admin("PUT", `/admin/v1/stores/${storeId}/intent-settings`, settings({ bank: { ...NEW_BANK, iban: "DE89 3704 0044 0532 0130 00" } }))).status, 200);

    const again = await api("GET", `/payment/intent/${first.paymentIntentId}/instructions`);
    assert.equal(again.status, 200);
    assert.deepEqual(again.json.bankTransfer, { ...BANK, reference: firstReference }, "the payer already at 4 keeps the account given");

    const second = await createIntent(storeId, kycFields());
    const ins2 = await api("GET", `/payment/intent/${second.paymentIntentId}/instructions`);
    const { reference, ...bank } = ins2.json.bankTransfer;
    assert.deepEqual(bank, NEW_BANK);
    assert.match(reference, /^RMP[0-9A-F]{12}$/);

    for (const limit of ["0", "101"]) {
      const refused = await admin("GET", `/admin/v1/kyc/reviews?limit=${limit}`);
      assert.deepEqual([refused.status, refused.json.error, refused.json.field], [400, "validation_failed", "limit"], "refused, not clamped");
    }
    const reviews = (await admin("GET", "/admin/v1/kyc/reviews")).json.items as { id: string; email: string }[];
    const caseId = reviews.find((c) => c.email === email)?.id;
    assert.ok(caseId, "the review case");
    assert.equal((await admin("POST", `/admin/v1/kyc/cases/${caseId}/approve`)).json.status, "approved");
    const late = await api("GET", `/payment/intent/${waiting.paymentIntentId}/instructions`);
    assert.equal(late.status, 200, JSON.stringify(late.json));
    assert.equal(late.json.bankTransfer.iban, NEW_BANK.iban, "an intent reaching 4 after the PUT gets the new account");
  });

  test("after a rotation IPNs are signed with the new secret only, including those pending at the rotation", async () => {
    const { storeId, ipnSecret: oldSecret } = await newStore(settings());
    assert.ok(oldSecret);
    const ipnUrl = `${rx.url}/ipn/${storeId}`;
    const beforeRotation = await createIntent(storeId, { ipnUrl });
    await drain(h);
    assert.deepEqual(ipnStatuses(rx.received, beforeRotation.paymentIntentId, oldSecret, nowS()), [2], "signed with the first secret");

    // An IPN enqueued before the rotation and still pending when it happens.
    const pending = await api("POST", `/payment/intent/${beforeRotation.paymentIntentId}/cancel`);
    assert.equal(pending.json.status, 14);

    const rotated = await admin("POST", `/admin/v1/stores/${storeId}/ipn-secret/rotate`);
    assert.equal(rotated.status, 200, rotated.text);
    assert.equal(rotated.headers["cache-control"], "no-store");
    const newSecret = rotated.json.ipnSecret as string;
    assert.equal(rotated.json.storeId, storeId);
    assert.match(newSecret, /^ipn_/);
    assert.notEqual(newSecret, oldSecret);
    assert.ok(!(await admin("GET", `/admin/v1/stores/${storeId}/intent-settings`)).text.includes(newSecret));

    const afterRotation = await createIntent(storeId, { ipnUrl });
    await drain(h);
    const ipnsOf = (id: string) => rx.received.map(parseIpn).filter((i) => i.paymentIntentId === id);
    const cancelled = ipnsOf(beforeRotation.paymentIntentId).find((i) => i.paymentIntentStatus === "14");
    const fresh = ipnsOf(afterRotation.paymentIntentId);
    assert.ok(cancelled, "the pending IPN was delivered");
    assert.equal(fresh.length, 1);
    for (const ipn of [cancelled, fresh[0]!]) {
      assert.ok(verifyIpn(newSecret, ipn, nowS()), `IPN ${ipn.paymentIntentStatus} verifies with the new secret`);
      assert.ok(!verifyIpn(oldSecret, ipn, nowS()), `IPN ${ipn.paymentIntentStatus} does not verify with the old secret`);
    }
  });
});
