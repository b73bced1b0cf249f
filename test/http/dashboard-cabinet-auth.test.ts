// Sessions and CSRF of the operator dashboard and the trader cabinet, through inject(): no session →
// sign-in, a form without its CSRF token → 403 and nothing changes, cookies scoped and HttpOnly, one
// area's session token is useless in the other, and a trader cannot act on another trader's pay-in.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createHarness, type Harness } from "../support/harness.js";
import { staffSession } from "../support/staff.js";
import { createPayinOverHttp, setupTrading, type TradingFixture, useFixedRate } from "../support/trading.js";

let h: Harness;
let fx: TradingFixture;
let operatorCookie: string;
let traderCookie: string;

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM = { "content-type": "application/x-www-form-urlencoded" };
const cookieOf = (setCookie: string | string[] | undefined) => String(setCookie).split(";")[0]!;

const createPayin = (fiatAmount: number) => createPayinOverHttp(h.app, fx.merchant.apiKey, fiatAmount);
const payinStatus = async (id: string) =>
  (await h.app.inject({ method: "GET", url: `/payment/trading/${id}`, headers: { "x-api-key": fx.merchant.apiKey } })).json().status;

before(async () => {
  h = await createHarness({ tweak: (deps) => useFixedRate(deps, "99.12") });
  fx = await setupTrading(h.deps, { traders: 2 });
  operatorCookie = (await staffSession(h, "admin")).cookie;
  const tr = await h.app.inject({ method: "POST", url: "/cabinet/login", headers: FORM, payload: form({ key: fx.traders[0]!.traderKey }) });
  assert.equal(tr.statusCode, 303);
  assert.equal(tr.headers.location, "/cabinet");
  traderCookie = cookieOf(tr.headers["set-cookie"]);
});
after(async () => h.close());

test("a dashboard POST without the CSRF token (or with a wrong one) is 403 and changes nothing", async () => {
  const requisiteId = fx.requisiteIds[0]!;
  for (const payload of [form({ enabled: "false" }), form({ enabled: "false", csrf: "x".repeat(43) })]) {
    const r = await h.app.inject({ method: "POST", url: `/dashboard/traders/requisites/${requisiteId}/switch`, headers: { ...FORM, cookie: operatorCookie }, payload });
    assert.equal(r.statusCode, 403);
    assert.match(r.body, /form expired/);
  }
  const page = await h.app.inject({ method: "GET", url: "/dashboard/traders", headers: { cookie: operatorCookie } });
  assert.equal(page.statusCode, 200);
  assert.doesNotMatch(page.body, /status bad">disabled/, "requisite still enabled");
  // With the token from the page the same form works.
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)![1]!;
  const ok = await h.app.inject({ method: "POST", url: `/dashboard/traders/requisites/${requisiteId}/switch`, headers: { ...FORM, cookie: operatorCookie }, payload: form({ enabled: "false", csrf }) });
  assert.equal(ok.statusCode, 303);
  assert.match((await h.app.inject({ method: "GET", url: "/dashboard/traders", headers: { cookie: operatorCookie } })).body, /status bad">disabled/);
  await h.app.inject({ method: "POST", url: `/dashboard/traders/requisites/${requisiteId}/switch`, headers: { ...FORM, cookie: operatorCookie }, payload: form({ enabled: "true", csrf }) });
});

test("a dashboard POST without a session goes to sign-in", async () => {
  const r = await h.app.inject({ method: "POST", url: `/dashboard/disputes/${fx.requisiteIds[0]}/resolve`, headers: FORM, payload: form({ outcome: "paid" }) });
  assert.equal(r.statusCode, 303);
  assert.equal(r.headers.location, "/dashboard/login");
});

test("a percent-encoded dashboard path is the same route and needs the same session and CSRF token", async () => {
  const requisiteId = fx.requisiteIds[0]!;
  // The router decodes %64 to d before matching: without a session each goes to sign-in, changing nothing.
  for (const url of [`/%64ashboard/traders/requisites/${requisiteId}/switch`, `/dashboard/%74raders/requisites/${requisiteId}/switch`]) {
    const r = await h.app.inject({ method: "POST", url, headers: FORM, payload: form({ enabled: "false" }) });
    assert.equal(r.statusCode, 303, url);
    assert.equal(r.headers.location, "/dashboard/login");
    const noCsrf = await h.app.inject({ method: "POST", url, headers: { ...FORM, cookie: operatorCookie }, payload: form({ enabled: "false" }) });
    assert.equal(noCsrf.statusCode, 403, url);
  }
  const read = await h.app.inject({ method: "GET", url: "/%64ashboard/money" });
  assert.equal(read.statusCode, 303);
  assert.doesNotMatch((await h.app.inject({ method: "GET", url: "/dashboard/traders", headers: { cookie: operatorCookie } })).body, /status bad">disabled/, "requisite still enabled");
});

test("a cabinet page without a session redirects to sign-in; a wrong key is 401", async () => {
  for (const url of ["/cabinet", "/cabinet/receipts/inv_x"]) {
    const r = await h.app.inject({ method: "GET", url });
    assert.equal(r.statusCode, 303, url);
    assert.equal(r.headers.location, "/cabinet/login");
  }
  const post = await h.app.inject({ method: "POST", url: `/cabinet/pay-ins/${fx.requisiteIds[0]}/confirm`, headers: FORM, payload: form({ csrf: "x" }) });
  assert.equal(post.statusCode, 303);
  assert.equal(post.headers.location, "/cabinet/login");
  const bad = await h.app.inject({ method: "POST", url: "/cabinet/login", headers: FORM, payload: form({ key: "rtr_nope" }) });
  assert.equal(bad.statusCode, 401);
  assert.match(bad.body, /not valid/);
  assert.equal((await h.app.inject({ method: "GET", url: "/cabinet/login" })).statusCode, 200);
});

test("the cabinet cookie is HttpOnly, SameSite=Strict, scoped to /cabinet; operator and trader tokens do not cross", async () => {
  const tr = await h.app.inject({ method: "POST", url: "/cabinet/login", headers: FORM, payload: form({ key: fx.traders[0]!.traderKey }) });
  const setCookie = String(tr.headers["set-cookie"]);
  assert.match(setCookie, /HttpOnly/);
  assert.match(setCookie, /SameSite=Strict/);
  assert.match(setCookie, /Path=\/cabinet/);
  assert.equal((await h.app.inject({ method: "GET", url: "/cabinet", headers: { cookie: traderCookie } })).statusCode, 200);
  const operatorToken = operatorCookie.split("=")[1]!;
  const traderToken = traderCookie.split("=")[1]!;
  assert.equal((await h.app.inject({ method: "GET", url: "/cabinet", headers: { cookie: `rampart_trader=${operatorToken}` } })).statusCode, 303);
  assert.equal((await h.app.inject({ method: "GET", url: "/dashboard/overview", headers: { cookie: `rampart_operator=${traderToken}` } })).statusCode, 303);
});

test("a cabinet POST without the CSRF token is 403; with it the pay-in closes; another trader's pay-in is not found", async () => {
  const p = await createPayin(5100);
  // One requisite per trader: find whose pay-in it is from the first trader's page.
  const pageA = await h.app.inject({ method: "GET", url: "/cabinet", headers: { cookie: traderCookie } });
  const isMine = pageA.body.includes(`data-payin="${p.id}"`);
  const otherLogin = await h.app.inject({ method: "POST", url: "/cabinet/login", headers: FORM, payload: form({ key: fx.traders[1]!.traderKey }) });
  const owner = isMine ? traderCookie : cookieOf(otherLogin.headers["set-cookie"]);
  const stranger = isMine ? cookieOf(otherLogin.headers["set-cookie"]) : traderCookie;

  const noCsrf = await h.app.inject({ method: "POST", url: `/cabinet/pay-ins/${p.id}/confirm`, headers: { ...FORM, cookie: owner }, payload: form({}) });
  assert.equal(noCsrf.statusCode, 403);
  assert.equal(await payinStatus(p.id), "active");

  const strangerPage = await h.app.inject({ method: "GET", url: "/cabinet", headers: { cookie: stranger } });
  assert.ok(!strangerPage.body.includes(`data-payin="${p.id}"`), "not listed for the other trader");
  const strangerCsrf = /name="csrf" value="([^"]+)"/.exec(strangerPage.body)![1]!;
  const denied = await h.app.inject({ method: "POST", url: `/cabinet/pay-ins/${p.id}/confirm`, headers: { ...FORM, cookie: stranger }, payload: form({ csrf: strangerCsrf }) });
  assert.equal(denied.statusCode, 303);
  assert.equal(new URL(String(denied.headers.location), "http://x").searchParams.get("error"), "not_found", "the notice names the refusal by its code; the page words it in the trader's language");
  assert.equal(await payinStatus(p.id), "active");

  const ownerPage = await h.app.inject({ method: "GET", url: "/cabinet", headers: { cookie: owner } });
  const csrf = /name="csrf" value="([^"]+)"/.exec(ownerPage.body)![1]!;
  const ok = await h.app.inject({ method: "POST", url: `/cabinet/pay-ins/${p.id}/confirm`, headers: { ...FORM, cookie: owner }, payload: form({ csrf }) });
  assert.equal(ok.statusCode, 303);
  assert.equal(await payinStatus(p.id), "closed");
});
