// The portal's settings page against the merchant API (issue 19): a currency, method or bank change
// made through the portal form is what GET /merchant/v1/settings returns; a bad value comes back as the
// form with the API's error next to its field and changes nothing; a risk rule added, disabled and
// deleted in the portal is what GET /merchant/v1/risk/rules shows; support and finance users are refused.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createStore } from "../../src/app/intents/stores.js";
import { readRiskSettings } from "../../src/app/risk/manage-rules.js";
import { saveTradingSettings } from "../../src/app/trading/settings-admin.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { configureStore } from "../support/intents.js";
import { jsonCall } from "../support/json-call.js";
import { createMerchantUser, portalSession } from "../support/merchant-users.js";
import { getPage, noticeOf, postForm } from "../support/staff.js";

let h: Harness;
let m: MerchantFixture;
let other: MerchantFixture;
let dev: { cookie: string; csrf: string };
before(async () => {
  h = await createHarness();
  m = await createMerchant(h.deps);
  other = await createMerchant(h.deps);
  await saveTradingSettings(h.deps, m.merchantId, { fiatCurrency: "RUB", feeRate: "0.085" });
  dev = await portalSession(h, await createMerchantUser(h, m.merchantId, "developer"));
});
after(async () => h?.close());

const api = (method: "GET" | "POST", url: string, body?: unknown, key = m.apiKey) => jsonCall(h.app, method, url, { "x-api-key": key }, body);
const trading = async () => (await api("GET", "/merchant/v1/settings")).json.trading;
/** The trading form as the page sends it: every field, `change` over the stored values. */
const tradingForm = (change: Record<string, string>) => ({
  paymentWindowMinutes: "15",
  disputeAutoResolveMinutes: "30",
  minFiatAmount: "100.00",
  maxFiatAmount: "300000.00",
  fiatCurrency: "RUB",
  fiatCurrencies: "RUB",
  allowedMethods: "",
  allowedBanks: "",
  webhookUrl: "",
  returnUrl: "",
  ...change,
});

test("currencies, methods and banks changed in the portal are what GET /merchant/v1/settings returns", async () => {
  const res = await postForm(h, dev, "/merchant/settings/trading", tradingForm({ fiatCurrencies: "RUB, kzt", allowedMethods: "card sbp", allowedBanks: "sber, tinkoff", paymentWindowMinutes: "20" }));
  assert.equal(res.statusCode, 303, res.body);
  assert.match(noticeOf(res.headers.location).ok ?? "", /Trading settings saved/);
  const t = await trading();
  assert.deepEqual([t.fiatCurrencies, t.allowedMethods, t.allowedBanks, t.paymentWindowMinutes], [["RUB", "KZT"], ["card", "sbp"], ["SBER", "TINKOFF"], 20]);
  const page = await getPage(h, dev, "/merchant/settings");
  assert.match(page.body, /id="allowedBanks" name="allowedBanks" value="SBER, TINKOFF"/);
  // Emptied, methods and banks are every method and bank again (null), as in the API.
  assert.equal((await postForm(h, dev, "/merchant/settings/trading", tradingForm({ fiatCurrencies: "RUB, KZT" }))).statusCode, 303);
  const back = await trading();
  assert.deepEqual([back.allowedMethods, back.allowedBanks], [null, null]);
});

test("a bad value shows the API's error next to its field and changes nothing", async () => {
  const before = await trading();
  const cases: [Record<string, string>, string, RegExp][] = [
    [{ fiatCurrencies: "RUB, XYZ" }, "fiatCurrencies", /trading\.fiatCurrencies\.1: XYZ is not an ISO 4217 fiat currency/],
    [{ fiatCurrencies: "KZT", fiatCurrency: "RUB" }, "fiatCurrencies", /trading\.fiatCurrencies: fiatCurrencies must include fiatCurrency/],
    [{ allowedMethods: `card ${"m".repeat(33)}` }, "allowedMethods", /Invalid value for trading\.allowedMethods\.1/],
    [{ paymentWindowMinutes: "0", allowedBanks: "SBER" }, "paymentWindowMinutes", /Invalid value for trading\.paymentWindowMinutes/],
    [{ fiatCurrencies: "" }, "fiatCurrencies", /Invalid value for trading\.fiatCurrencies/],
  ];
  for (const [change, field, message] of cases) {
    const res = await postForm(h, dev, "/merchant/settings/trading", tradingForm(change));
    assert.equal(res.statusCode, 400, `${field}: ${res.statusCode}`);
    const input = new RegExp(`<input id="${field}" name="${field}" value="[^"]*"[^>]*aria-describedby="${field}-error" aria-invalid="true"><p class="error meta" id="${field}-error">([^<]*)</p>`);
    const m = input.exec(res.body);
    assert.ok(m, `${field}: no error next to the field`);
    assert.match(m[1]!.replace(/&#39;|&quot;/g, "'"), message);
    assert.match(res.body, new RegExp(`role="alert">Not saved: see ${field}\\.`));
    // What was typed is shown again.
    assert.match(res.body, new RegExp(`id="fiatCurrencies" name="fiatCurrencies" value="${tradingForm(change).fiatCurrencies}"`));
  }
  assert.deepEqual(await trading(), before);

  // A store not set up for payment intents has no form: the refusal is said above the others.
  const store = await postForm(h, dev, `/merchant/settings/stores/${m.storeId}`, { [`${m.storeId}-kycValidityDays`]: "abc" });
  assert.equal(store.statusCode, 400);
  assert.match(store.body, /<p class="card error" role="alert">Invalid value for stores\.0\.kycValidityDays/);

  // Set up, its bad value is shown at its field; its served countries change as through the API.
  await configureStore(h, m.storeId);
  const id = m.storeId;
  const bad = await postForm(h, dev, `/merchant/settings/stores/${id}`, { [`${id}-kycValidityDays`]: "abc", [`${id}-servedCountries`]: "ES" });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, new RegExp(`aria-describedby="s-${id}-kycValidityDays-error" aria-invalid="true"><p class="error meta" id="s-${id}-kycValidityDays-error">Invalid value for stores\\.0\\.kycValidityDays`));
  const ok = await postForm(h, dev, `/merchant/settings/stores/${id}`, { [`${id}-kycValidityDays`]: "90", [`${id}-servedCountries`]: "es, pt" });
  assert.equal(ok.statusCode, 303, ok.body);
  const st = (await api("GET", "/merchant/v1/settings")).json.stores.items.find((x: { storeId: string }) => x.storeId === id);
  assert.deepEqual([st.intent.servedCountries, st.intent.kycValidityDays], [["ES", "PT"], 90]);
});

test("a field sent twice is refused at its field and changes nothing; a field the body leaves out keeps its value", async () => {
  const set = await jsonCall(h.app, "PATCH", "/merchant/v1/settings", { "x-api-key": m.apiKey }, { trading: { allowedMethods: ["sbp"], allowedBanks: ["SBER"], webhookUrl: "https://hooks.example.com/t" } });
  assert.equal(set.status, 200, set.text);
  const before = await trading();
  const twice = await postForm(h, dev, "/merchant/settings/trading", { ...tradingForm({ allowedBanks: "SBER", webhookUrl: "https://hooks.example.com/t" }), allowedMethods: ["sbp", "sbp"] });
  assert.equal(twice.statusCode, 400, twice.body);
  assert.match(twice.body, /id="allowedMethods-error">allowedMethods must be sent once, as text\./);
  assert.deepEqual(await trading(), before);
  // Only the window sent: the lists and URLs the body leaves out stay as they are.
  const partial = await postForm(h, dev, "/merchant/settings/trading", { paymentWindowMinutes: "25" });
  assert.equal(partial.statusCode, 303, partial.body);
  assert.deepEqual(await trading(), { ...before, paymentWindowMinutes: 25 });
});

test("a refused store form stays on its own card, also for a store its merchant named like another form ('risk')", async () => {
  const id = (await createStore(h.deps, m.merchantId, { id: "risk", name: "Named risk" })).storeId;
  await configureStore(h, id);
  const stored = await readRiskSettings(h.deps, m.merchantId);
  const res = await postForm(h, dev, `/merchant/settings/stores/${id}`, { [`${id}-kycValidityDays`]: "abc" });
  assert.equal(res.statusCode, 400);
  assert.match(res.body, /id="s-risk-kycValidityDays-error">Invalid value for stores\.0\.kycValidityDays/);
  // The risk card shows the stored thresholds and no refusal of its own.
  const riskCard = /<form method="post" action="\/merchant\/settings\/risk"[\s\S]*?<\/form>/.exec(res.body)?.[0] ?? "";
  assert.match(riskCard, new RegExp(`id="risk-reviewAt" name="reviewAt" value="${stored.reviewAt}"`));
  assert.doesNotMatch(riskCard, /role="alert"/);
});

test("a risk rule added, disabled and deleted in the portal is what GET /merchant/v1/risk/rules shows", async () => {
  const add = await postForm(h, dev, "/merchant/settings/risk-rules", { kind: "velocity", name: "Three per user", weight: "60", signal: "userId", measure: "count", windowSeconds: "600", limit: "3" });
  assert.equal(add.statusCode, 303, add.body);
  let rules = (await api("GET", "/merchant/v1/risk/rules")).json.items;
  assert.equal(rules.length, 1);
  assert.deepEqual([rules[0].name, rules[0].weight, rules[0].enabled, rules[0].spec], ["Three per user", 60, true, { kind: "velocity", signal: "userId", measure: "count", windowSeconds: 600, limit: 3 }]);
  const id = rules[0].id as string;
  assert.match((await getPage(h, dev, "/merchant/settings")).body, new RegExp(`data-rule="${id}"`));

  // A refused rule: the form again (400) with the error at its field; nothing added.
  const bad = await postForm(h, dev, "/merchant/settings/risk-rules", { kind: "velocity", name: "Too heavy", weight: "500", signal: "userId", measure: "count", windowSeconds: "600", limit: "3" });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /aria-describedby="rule-weight-hint rule-weight-error" aria-invalid="true">.*<p class="error meta" id="rule-weight-error">weight must be an integer from 0 to 100\.<\/p>/s);
  assert.equal((await api("GET", "/merchant/v1/risk/rules")).json.items.length, 1);

  assert.equal((await postForm(h, dev, `/merchant/settings/risk-rules/${id}/enabled`, { enabled: "false" })).statusCode, 303);
  rules = (await api("GET", "/merchant/v1/risk/rules")).json.items;
  assert.equal(rules[0].enabled, false);

  // Another merchant's rule is not found, and stays.
  const theirs = await api("POST", "/merchant/v1/risk/rules", { name: "Theirs", weight: 10, spec: { kind: "disposable_email" } }, other.apiKey);
  assert.equal(theirs.status, 201, theirs.text);
  for (const url of [`/merchant/settings/risk-rules/${theirs.json.id}/delete`, `/merchant/settings/risk-rules/${theirs.json.id}/enabled`]) {
    assert.equal((await postForm(h, dev, url, { enabled: "false" })).statusCode, 404, url);
  }
  assert.equal((await getPage(h, dev, `/merchant/settings/${theirs.json.id}`)).statusCode, 404);
  assert.equal((await api("GET", "/merchant/v1/risk/rules", undefined, other.apiKey)).json.items[0].enabled, true);

  assert.equal((await postForm(h, dev, `/merchant/settings/risk-rules/${id}/delete`)).statusCode, 303);
  assert.deepEqual((await api("GET", "/merchant/v1/risk/rules")).json.items, []);
});

test("support and finance users are refused the settings page, its forms and the risk rules", async () => {
  const before = await trading();
  for (const role of ["support", "finance"] as const) {
    const s = await portalSession(h, await createMerchantUser(h, m.merchantId, role));
    for (const [url, form] of [
      ["/merchant/settings/trading", tradingForm({ fiatCurrencies: "RUB, EUR" })],
      ["/merchant/settings/risk-rules", { kind: "disposable_email", name: "x", weight: "10" }],
    ] as const) {
      const res = await postForm(h, s, url, form);
      assert.equal(res.statusCode, 403, `${role} ${url}`);
      assert.match(res.body, /data-code="role_forbidden"/);
    }
    for (const url of ["/merchant/settings", "/merchant/settings/new-velocity"]) assert.equal((await getPage(h, s, url)).statusCode, 403, `${role} ${url}`);
  }
  assert.deepEqual(await trading(), before);
  assert.deepEqual((await api("GET", "/merchant/v1/risk/rules")).json.items, []);
});
