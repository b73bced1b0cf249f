// The console's payments pages over inject() (issue 18), for what the browser test does not drive:
// intents' and card payments' pages (status names, a card shown as BIN and last four), cursor paging
// through the page's own Next link, releasing and rejecting a risk review from the page (support may,
// a viewer is refused and shown no form), and the refusals: an unknown payment or item is a 404 page,
// a bad export filter a 400 with its code, no session a redirect to sign-in.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import { createHarness, type Harness } from "../support/harness.js";
import { cardRowId, insertPaymentRows, intentRowId } from "../support/payment-rows.js";
import { staffSession } from "../support/staff.js";
import { setupTrading, type TradingFixture } from "../support/trading.js";

let h: Harness;
let fx: TradingFixture;
let cookie: string;
let support: { cookie: string; csrf: string };
let viewerCsrf: string;
const START = new Date("2026-03-01T10:00:00.000Z");

before(async () => {
  h = await createHarness();
  fx = await setupTrading(h.deps);
  const trader = { traderId: fx.traders[0]!.traderId, requisiteId: fx.requisiteIds[0]! };
  await insertPaymentRows(h.deps.database.db, { tag: "p", merchantId: fx.merchant.merchantId, storeId: fx.merchant.storeId, trader, trading: 40, intents: 30, cards: 30, start: START });
  const db = h.deps.database.db;
  await sql`INSERT INTO payment_intent_events (intent_id, from_status, to_status, actor, at, data)
    VALUES (${intentRowId("p", 3)}, 4, 5, 'bank_feed', ${START}, '{"reason":"transfer matched"}')`.execute(db);
  await sql`INSERT INTO card_payment_events (payment_id, from_status, to_status, actor, reason, at)
    VALUES (${cardRowId("p", 3)}::uuid, 'authorizing', 'succeeded', 'acquirer', 'approved', ${START})`.execute(db);
  for (const n of [5, 6]) {
    await sql`INSERT INTO risk_decisions (id, merchant_id, flow, payment_id, decision, score, reasons, review_status, created_at)
      VALUES (gen_random_uuid(), ${fx.merchant.merchantId}::uuid, 'card', ${cardRowId("p", n)}, 'review', 70, '[]'::jsonb, 'pending', ${START})`.execute(db);
  }
  ({ cookie, csrf: viewerCsrf } = await staffSession(h, "viewer"));
  support = await staffSession(h, "support");
});
after(async () => h.close());

const get = (url: string, withSession = true) => h.app.inject({ method: "GET", url, headers: withSession ? { cookie } : {} });

test("an intent's page names its statuses and shows its timeline; no KYC case is said so", async () => {
  const r = await get(`/dashboard/payments/${intentRowId("p", 3)}`);
  assert.equal(r.statusCode, 200, r.body);
  assert.match(r.body, /<h1>Payment intent<\/h1>/);
  assert.match(r.body, /data-to="payment_received"/);
  assert.match(r.body, /ready_to_pay<\/span> → <span[^>]*>payment_received/);
  assert.match(r.body, /transfer matched/);
  assert.match(r.body, /No KYC case\./);
  assert.match(r.body, /Order number/);
});

test("a card payment's page shows the card as BIN and last four only", async () => {
  const r = await get(`/dashboard/payments/${cardRowId("p", 3)}`);
  assert.equal(r.statusCode, 200, r.body);
  assert.match(r.body, /<h1>Card payment<\/h1>/);
  assert.match(r.body, /424242 … 4242/);
  assert.doesNotMatch(r.body, /\*{6}/, "not the stored mask");
  assert.match(r.body, /by <strong>acquirer<\/strong>/);
  assert.match(r.body, /Customer&#39;s KYC level<\/span><span class="wrap">NONE/);
  assert.match(r.body, /No KYC case\./);
  assert.match(r.body, /approved/);
});

test("the explorer pages by cursor through its Next link: every payment once", async () => {
  const seen: string[] = [];
  let url: string | null = `/dashboard/payments?merchant=${fx.merchant.merchantId}`;
  while (url) {
    const r = await get(url);
    assert.equal(r.statusCode, 200, r.body);
    seen.push(...[...r.body.matchAll(/<tr data-payment="([^"]+)"/g)].map((m) => m[1]!));
    const next = /id="next-page" href="([^"]+)"/.exec(r.body)?.[1];
    url = next ? next.replace(/&amp;/g, "&") : null;
  }
  assert.equal(seen.length, 100);
  assert.equal(new Set(seen).size, 100);
});

test("refusals: unknown payment and item pages are 404 pages, a bad export filter 400, no session a sign-in", async () => {
  const missing = await get("/dashboard/payments/pi_nothing_here");
  assert.equal(missing.statusCode, 404);
  assert.match(missing.body, /Payment not found/);
  assert.equal((await get("/dashboard/overview/anything")).statusCode, 404);
  const bad = await get("/dashboard/payments/export.csv?dialect=fax");
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().error, "validation_failed");
  for (const url of ["/dashboard/payments", `/dashboard/payments/${intentRowId("p", 3)}`, "/dashboard/payments/export.csv"]) {
    const r = await get(url, false);
    assert.equal(r.statusCode, 303, url);
    assert.equal(r.headers.location, "/dashboard/login");
  }
});

const post = (url: string, session: { cookie: string; csrf: string }) =>
  h.app.inject({ method: "POST", url, headers: { cookie: session.cookie, "content-type": "application/x-www-form-urlencoded" }, payload: `csrf=${encodeURIComponent(session.csrf)}` });
const reviewStatus = async (n: number) =>
  (await h.deps.database.db.selectFrom("risk_decisions").select("review_status").where("payment_id", "=", cardRowId("p", n)).executeTakeFirstOrThrow()).review_status;

test("support releases and rejects held payments from their pages; a viewer is shown no form and refused", async () => {
  const released = `/dashboard/payments/${cardRowId("p", 5)}`;
  assert.doesNotMatch((await get(released)).body, /id="risk-review"/, "a viewer sees no review form");
  const refused = await post(`${released}/risk-review/release`, { cookie, csrf: viewerCsrf });
  assert.equal(refused.statusCode, 403);
  assert.match(refused.body, /role_forbidden/);
  assert.equal(await reviewStatus(5), "pending");

  const page = await h.app.inject({ method: "GET", url: released, headers: { cookie: support.cookie } });
  assert.match(page.body, /id="risk-review"/);
  assert.match(page.body, /The offer may be paid\./, "what releasing does, before it is done");
  const r = await post(`${released}/risk-review/release`, support);
  assert.equal(r.statusCode, 303);
  assert.match(r.headers.location as string, new RegExp(`^${released}\\?ok=`));
  assert.equal(await reviewStatus(5), "released");
  const after = await h.app.inject({ method: "GET", url: released, headers: { cookie: support.cookie } });
  assert.doesNotMatch(after.body, /id="risk-review"/, "nothing left to decide");
  assert.match(after.body, /data-status="released"/);
  const again = await post(`${released}/risk-review/reject`, support);
  assert.match(decodeURIComponent(String(again.headers.location)), /released/, "a decided review is refused, naming its status");
  assert.equal(await reviewStatus(5), "released");

  const rejected = `/dashboard/payments/${cardRowId("p", 6)}`;
  assert.equal((await post(`${rejected}/risk-review/reject`, support)).statusCode, 303);
  assert.equal(await reviewStatus(6), "rejected");
});
