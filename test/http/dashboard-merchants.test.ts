// The console's Merchants page over inject (issue 18): the list, creating a merchant (its first key
// shown once), a merchant's page with its keys and stores, issuing a key (shown once, the key works)
// and revoking one (it stops working), a store's payment-intent settings (first save shows the IPN
// secret once, a bad value is refused with the core's message) and the IPN secret's rotation. Every
// change writes one audit entry with the staff person; a viewer sees no form and is refused.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createHarness, type Harness } from "../support/harness.js";
import { auditEntryCount, lastAuditEntry } from "../support/audit-entries.js";
import { getPage, noticeOf, postForm, staffSession } from "../support/staff.js";

let h: Harness;
before(async () => {
  h = await createHarness();
});
after(() => h.close());

type Session = { cookie: string; csrf: string; staff: { id: string } };
const secretOn = (body: string) => /id="secret-value">([^<]+)</.exec(body)?.[1];
/** Whether the key is accepted: an unknown intent is 404 to a valid key, 401 to a refused one. */
const keyWorks = async (key: string) => {
  const r = await h.app.inject({ method: "GET", url: "/payment/intent/pi_unknown/status", headers: { "x-api-key": key } });
  assert.ok([401, 404].includes(r.statusCode), r.body);
  return r.statusCode === 404;
};

async function createdMerchant(admin: Session, name: string): Promise<{ id: string; key: string }> {
  const r = await postForm(h, admin, "/dashboard/merchants", { name });
  assert.equal(r.statusCode, 201, r.body);
  assert.equal(r.headers["cache-control"], "no-store");
  const id = /id="merchant" data-merchant="([^"]+)"/.exec(r.body)?.[1];
  const key = secretOn(r.body);
  assert.ok(id && key?.startsWith("rmp_"), r.body);
  return { id: id!, key: key! };
}

test("an admin creates a merchant (first key shown once), issues and revokes keys; each change is audited", async () => {
  const admin = await staffSession(h, "admin");
  const m = await createdMerchant(admin, "Console Shop S.L.");
  let e = await lastAuditEntry(h.deps);
  assert.deepEqual([e.actor, e.action, e.details.via, e.details.input.name], [`staff:${admin.staff.id}`, "merchants", "console", "Console Shop S.L."]);

  const list = await getPage(h, admin, "/dashboard/merchants");
  assert.equal(list.statusCode, 200);
  assert.match(list.body, new RegExp(`data-merchant="${m.id}"`));
  const page = await getPage(h, admin, `/dashboard/merchants/${m.id}`);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Console Shop S\.L\./);
  assert.match(page.body, /first key/);
  assert.doesNotMatch(page.body, new RegExp(m.key), "the key is never shown again");

  const issued = await postForm(h, admin, `/dashboard/merchants/${m.id}/api-keys`, { label: "checkout servers" });
  assert.equal(issued.statusCode, 201, issued.body);
  const key = secretOn(issued.body)!;
  assert.ok(await keyWorks(key), "the new key works");
  e = await lastAuditEntry(h.deps);
  assert.deepEqual([e.action, e.subject, e.details.input.label], ["merchants.api-keys", m.id, "checkout servers"]);
  assert.doesNotMatch(JSON.stringify(e), new RegExp(key.slice(4)), "the key is not in the audit log");

  const keyId = /data-key="([^"]+)"><td class="mono small-id">rmp_[^<]*<\/td><td>checkout servers/.exec((await getPage(h, admin, `/dashboard/merchants/${m.id}`)).body)?.[1];
  assert.ok(keyId);
  const revoked = await postForm(h, admin, `/dashboard/merchants/${m.id}/api-keys/${keyId}/revoke`);
  assert.equal(revoked.statusCode, 303);
  assert.match(noticeOf(revoked.headers.location).ok ?? "", /revoked/);
  assert.ok(!(await keyWorks(key)), "a revoked key is refused");
  assert.ok(await keyWorks(m.key), "the other key keeps working");
  e = await lastAuditEntry(h.deps);
  assert.deepEqual([e.action, e.subject], ["merchants.api-keys.revoke", `${m.id}/${keyId}`]);

  // Another merchant's key, an unknown merchant: 404 notices, nothing written.
  const other = await createdMerchant(admin, "Other Shop");
  const count = await auditEntryCount(h.deps);
  const wrong = await postForm(h, admin, `/dashboard/merchants/${other.id}/api-keys/${keyId}/revoke`);
  assert.match(noticeOf(wrong.headers.location).error ?? "", /not found/i);
  const unknown = await postForm(h, admin, "/dashboard/merchants/not-a-merchant/api-keys", { label: "x" });
  assert.equal(unknown.statusCode, 303);
  assert.match(noticeOf(unknown.headers.location).error ?? "", /Merchant not found/);
  assert.equal((await getPage(h, admin, "/dashboard/merchants/00000000-0000-4000-8000-000000000000")).statusCode, 404);
  assert.equal(await auditEntryCount(h.deps), count);
});

test("stores: create one, save its settings (IPN secret shown once), a bad value refused, rotate the secret", async () => {
  const admin = await staffSession(h, "admin");
  const m = await createdMerchant(admin, "Store Owner");
  const created = await postForm(h, admin, `/dashboard/merchants/${m.id}/stores`, { name: "Shop Spain", id: "console_shop_es" });
  assert.equal(created.statusCode, 303);
  assert.equal(noticeOf(created.headers.location).ok, "Store console_shop_es created.");
  assert.equal((await lastAuditEntry(h.deps)).action, "merchants.stores");
  assert.match((await getPage(h, admin, `/dashboard/merchants/${m.id}`)).body, /data-store="console_shop_es"/);
  const bad = await postForm(h, admin, `/dashboard/merchants/${m.id}/stores`, { name: "x", id: "a b" });
  assert.match(noticeOf(bad.headers.location).error ?? "", /store id/);

  const store = "/dashboard/merchants/stores/console_shop_es";
  assert.match((await getPage(h, admin, store)).body, /id="no-settings"/);
  const form = {
    servedCountries: "es, pt",
    iban: "ES91 2100 0418 4502 0005 1332",
    bic: "CAIXESBBXXX",
    beneficiary: "Shop Group S.L.",
    bankName: "CaixaBank",
    paymentWindowSeconds: "3600",
    kycWindowSeconds: "86400",
    kycValidityDays: "365",
    acceptAmountMismatch: "false",
  };
  const count = await auditEntryCount(h.deps);
  const refusedForm = await postForm(h, admin, `${store}/intent-settings`, { ...form, bic: "nope" });
  assert.equal(refusedForm.statusCode, 303);
  assert.match(noticeOf(refusedForm.headers.location).error ?? "", /bank\.bic is not a valid BIC/);
  assert.equal(await auditEntryCount(h.deps), count, "a refused form writes nothing");

  const first = await postForm(h, admin, `${store}/intent-settings`, form);
  assert.equal(first.statusCode, 201, first.body);
  const secret = secretOn(first.body);
  assert.ok(secret);
  const e = await lastAuditEntry(h.deps);
  assert.equal(e.action, "merchants.stores.intent-settings");
  assert.equal(e.details.input.iban, "[withheld]");
  assert.doesNotMatch(JSON.stringify(e), new RegExp(secret));
  const shown = await getPage(h, admin, store);
  assert.match(shown.body, /ES, PT/);
  assert.doesNotMatch(shown.body, new RegExp(secret));

  const again = await postForm(h, admin, `${store}/intent-settings`, { ...form, kycValidityDays: "30" });
  assert.equal(again.statusCode, 303);
  assert.equal(noticeOf(again.headers.location).ok, "Settings saved.");
  assert.match((await getPage(h, admin, store)).body, /KYC valid 30 days/);

  const rotated = await postForm(h, admin, `${store}/ipn-secret/rotate`);
  assert.equal(rotated.statusCode, 200);
  const next = secretOn(rotated.body);
  assert.ok(next && next !== secret);
  assert.equal((await lastAuditEntry(h.deps)).action, "merchants.stores.ipn-secret.rotate");
  assert.equal((await getPage(h, admin, "/dashboard/merchants/stores/no_such_store")).statusCode, 404);
});

test("a viewer sees merchants without a form; its posts are refused and write nothing", async () => {
  const admin = await staffSession(h, "admin");
  const m = await createdMerchant(admin, "Viewed Shop");
  const viewer = await staffSession(h, "viewer");
  const support = await staffSession(h, "support");
  const page = await getPage(h, viewer, `/dashboard/merchants/${m.id}`);
  assert.equal(page.statusCode, 200);
  assert.doesNotMatch(page.body, /id="issue-key"|Revoke…|id="create-store"/);
  assert.doesNotMatch((await getPage(h, viewer, "/dashboard/merchants")).body, /id="create-merchant"/);
  const count = await auditEntryCount(h.deps);
  for (const url of ["/dashboard/merchants", `/dashboard/merchants/${m.id}/api-keys`]) {
    const r = await postForm(h, viewer, url, { name: "x" });
    assert.equal(r.statusCode, 403);
    assert.match(r.body, /data-code="role_forbidden"/);
  }
  assert.equal((await postForm(h, support, `/dashboard/merchants/${m.id}/api-keys`)).statusCode, 403);
  assert.equal(await auditEntryCount(h.deps), count);
});

test("a merchant's trading settings on its page: an admin enables and changes them through the PUT's use case, the merchant's API reads them, a bad field is refused and changes nothing; a viewer sees them without the form", async () => {
  const admin = await staffSession(h, "admin");
  const m = await createdMerchant(admin, "Trading Shop");
  const url = `/dashboard/merchants/${m.id}`;
  const first = await getPage(h, admin, url);
  assert.match(first.body, /id="trading-settings".*id="no-trading-settings".*Enable trading…/s);
  const form = {
    fiatCurrency: "RUB",
    fiatCurrencies: "RUB, KZT",
    feeRate: "0.085",
    paymentWindowMinutes: "20",
    disputeAutoResolveMinutes: "45",
    minFiatAmount: "500",
    maxFiatAmount: "150000.50",
    allowedMethods: "card sbp",
    allowedBanks: "sber",
    webhookUrl: "https://merchant.example/hooks",
    returnUrl: "https://merchant.example/orders",
    payerDisputeReopens: "2",
    requireRequestSignature: "on",
  };
  const saved = await postForm(h, admin, `${url}/trading-settings`, form);
  assert.equal(noticeOf(saved.headers.location).ok, "Trading settings saved.", String(saved.headers.location));
  const e = await lastAuditEntry(h.deps);
  assert.deepEqual([e.action, e.subject, e.details.via], ["merchants.trading-settings", m.id, "console"]);
  // The merchant reads what the console saved through its own API.
  const api = await h.app.inject({ method: "GET", url: "/merchant/v1/settings", headers: { "x-api-key": m.key } });
  assert.equal(api.statusCode, 200, api.body);
  const t = api.json().trading;
  assert.deepEqual(
    [t.fiatCurrency, t.fiatCurrencies, t.feeRate, t.paymentWindowMinutes, t.allowedMethods, t.allowedBanks, t.webhookUrl, t.requireRequestSignature],
    ["RUB", ["RUB", "KZT"], "0.08500000", 20, ["card", "sbp"], ["SBER"], "https://merchant.example/hooks", true],
  );
  const page = (await getPage(h, admin, url)).body;
  assert.match(page, /Change the trading settings…/);
  assert.match(page, /500\.00 – 150000\.50/);
  assert.match(page, /id="ts-feeRate" name="feeRate" value="0\.0850*"/);

  const count = await auditEntryCount(h.deps);
  for (const [field, value, message] of [
    ["feeRate", "1.5", /feeRate: a fraction/],
    ["fiatCurrency", "XYZ", /fiatCurrency: XYZ is not an ISO 4217/],
    ["webhookUrl", "https://user:pw@merchant.example/x", /webhookUrl: The URL must not contain credentials/],
    ["minFiatAmount", "200000", /min above max/],
  ] as const) {
    const refused = await postForm(h, admin, `${url}/trading-settings`, { ...form, [field]: value });
    assert.match(noticeOf(refused.headers.location).error ?? "", message, field);
  }
  assert.equal(await auditEntryCount(h.deps), count, "refused: nothing written");
  assert.equal((await h.app.inject({ method: "GET", url: "/merchant/v1/settings", headers: { "x-api-key": m.key } })).json().trading.feeRate, "0.08500000");

  const viewer = await staffSession(h, "viewer");
  const seen = (await getPage(h, viewer, url)).body;
  assert.match(seen, /id="trading-settings".*0\.085/s);
  assert.doesNotMatch(seen, /trading-settings-form/);
  assert.equal((await postForm(h, viewer, `${url}/trading-settings`, form)).statusCode, 403);
});
