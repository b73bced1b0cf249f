// The portal's risk settings form (issue 19) against PUT /merchant/v1/risk/settings: thresholds and payer
// page access changed in the portal are what GET /merchant/v1/risk/settings returns; a bad value comes
// back as the form with the error at its field (aria-describedby) and changes nothing; only owners and
// developers may post it; it changes only the session's merchant, and in test mode only its test twin.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { readRiskSettings } from "../../src/app/risk/manage-rules.js";
import { testTwinIdOf } from "../../src/app/merchants/test-mode.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { jsonCall } from "../support/json-call.js";
import { createMerchantUser, portalSession, switchPortalMode } from "../support/merchant-users.js";
import { getPage, noticeOf, postForm } from "../support/staff.js";

let h: Harness;
let m: MerchantFixture;
let other: MerchantFixture;
let dev: { cookie: string; csrf: string };
before(async () => {
  h = await createHarness();
  m = await createMerchant(h.deps);
  other = await createMerchant(h.deps);
  dev = await portalSession(h, await createMerchantUser(h, m.merchantId, "developer"));
});
after(async () => h?.close());

const FORM = "/merchant/settings/risk";
const settings = async (key = m.apiKey) => {
  const r = await jsonCall(h.app, "GET", "/merchant/v1/risk/settings", { "x-api-key": key });
  assert.equal(r.status, 200, r.text);
  return r.json as { reviewAt: number; blockAt: number; pageAccess: string };
};

test("thresholds and page access changed in the portal are what GET /merchant/v1/risk/settings returns", async () => {
  const theirs = await settings(other.apiKey);
  const res = await postForm(h, dev, FORM, { reviewAt: "40", blockAt: "90", pageAccess: "deny" });
  assert.equal(res.statusCode, 303, res.body);
  assert.match(noticeOf(res.headers.location).ok ?? "", /Risk settings saved/);
  const s = await settings();
  assert.deepEqual([s.reviewAt, s.blockAt, s.pageAccess], [40, 90, "deny"]);
  const page = (await getPage(h, dev, "/merchant/settings")).body;
  assert.match(page, /id="risk-reviewAt" name="reviewAt" value="40"/);
  assert.match(page, /<option value="deny" selected>/);
  // The form names no merchant: another merchant's settings stay as they were.
  assert.deepEqual(await settings(other.apiKey), theirs);
});

test("the API names the threshold a change gave when the pair would be out of order", async () => {
  assert.equal((await jsonCall(h.app, "PUT", "/merchant/v1/risk/settings", { "x-api-key": m.apiKey }, { reviewAt: 50, blockAt: 80 })).status, 200);
  for (const [change, field] of [[{ blockAt: 40 }, "blockAt"], [{ reviewAt: 90 }, "reviewAt"], [{ reviewAt: 90, blockAt: 40 }, "reviewAt"]] as const) {
    const r = await jsonCall(h.app, "PUT", "/merchant/v1/risk/settings", { "x-api-key": m.apiKey }, change);
    assert.equal(r.status, 400, r.text);
    assert.deepEqual([r.json.error, r.json.field], ["validation_failed", field], r.text);
  }
  const s = await settings();
  assert.deepEqual([s.reviewAt, s.blockAt], [50, 80], "nothing changed");
});

test("a bad value shows its error at its field and changes nothing", async () => {
  await postForm(h, dev, FORM, { reviewAt: "50", blockAt: "80", pageAccess: "log" });
  const before = await settings();
  const cases: [Record<string, string>, string, RegExp][] = [
    [{ reviewAt: "abc", blockAt: "80" }, "reviewAt", /reviewAt is a whole number from 1 to 101/],
    [{ reviewAt: "50", blockAt: "200" }, "blockAt", /blockAt is a whole number from 1 to 101/],
    [{ reviewAt: "90", blockAt: "50" }, "reviewAt", /with reviewAt ≤ blockAt/],
  ];
  for (const [form, field, message] of cases) {
    const res = await postForm(h, dev, FORM, { ...form, pageAccess: "log" });
    assert.equal(res.statusCode, 400, `${field}: ${res.statusCode}`);
    const at = new RegExp(`<input id="risk-${field}" name="${field}" value="${form[field]}"[^>]*aria-describedby="risk-${field}-error" aria-invalid="true"><p class="error meta" id="risk-${field}-error">([^<]*)</p>`);
    const found = at.exec(res.body);
    assert.ok(found, `${field}: no error next to the field`);
    assert.match(found[1]!, message);
    assert.match(res.body, new RegExp(`role="alert">Not saved: see ${field}\\.`));
  }
  const access = await postForm(h, dev, FORM, { reviewAt: "50", blockAt: "80", pageAccess: "maybe" });
  assert.equal(access.statusCode, 400);
  assert.match(access.body, /<select id="risk-pageAccess" name="pageAccess" aria-describedby="risk-pageAccess-error" aria-invalid="true">.*<p class="error meta" id="risk-pageAccess-error">pageAccess is one of off, log, deny\.<\/p>/s);
  assert.deepEqual(await settings(), before);
});

test("support and finance users are refused the form; an owner may post it", async () => {
  const before = await settings();
  for (const role of ["support", "finance"] as const) {
    const s = await portalSession(h, await createMerchantUser(h, m.merchantId, role));
    const res = await postForm(h, s, FORM, { reviewAt: "10", blockAt: "20", pageAccess: "off" });
    assert.equal(res.statusCode, 403, role);
    assert.match(res.body, /data-code="role_forbidden"/);
  }
  assert.deepEqual(await settings(), before);
  const owner = await portalSession(h, await createMerchantUser(h, m.merchantId, "owner"));
  assert.equal((await postForm(h, owner, FORM, { reviewAt: "30", blockAt: "60", pageAccess: "off" })).statusCode, 303);
  assert.deepEqual(await settings(), { ...before, reviewAt: 30, blockAt: 60, pageAccess: "off" });
});

test("in test mode the form changes the test twin's settings, never the live merchant's", async () => {
  const live = await settings();
  const testMode = await switchPortalMode(h, dev, "test");
  const twin = (await testTwinIdOf(h.deps, m.merchantId))!;
  assert.ok(twin);
  assert.equal((await postForm(h, testMode, FORM, { reviewAt: "21", blockAt: "22", pageAccess: "deny" })).statusCode, 303);
  const t = await readRiskSettings(h.deps, twin);
  assert.deepEqual([t.reviewAt, t.blockAt, t.pageAccess], [21, 22, "deny"]);
  assert.match((await getPage(h, testMode, "/merchant/settings")).body, /id="risk-blockAt" name="blockAt" value="22"/);
  assert.deepEqual(await settings(), live);
  assert.match((await getPage(h, dev, "/merchant/settings")).body, new RegExp(`id="risk-blockAt" name="blockAt" value="${live.blockAt}"`));
});
