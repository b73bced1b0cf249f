// An operator's cancel (issue 18): the payment page offers it to payments.manage roles while the pay-in
// is active, behind a confirmation; support's cancel voids the trader's hold and writes one audit entry
// with the status change; again, it is refused naming the status; the operator API's
// POST /admin/v1/payments/:id/cancel runs the same use case (a viewer key refused, an unknown id 404).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { createHarness, type Harness } from "../support/harness.js";
import { jsonCall, operatorHeader } from "../support/json-call.js";
import { noticeOf, staffSession } from "../support/staff.js";
import { setupTrading, type TradingFixture, useFixedRate, verifyLedgerClean } from "../support/trading.js";

let h: Harness;
let fx: TradingFixture;
before(async () => {
  h = await createHarness({ tweak: (deps) => useFixedRate(deps, "99.12") });
  fx = await setupTrading(h.deps);
});
after(() => h.close());

let amount = 3000;
async function activePayin(): Promise<string> {
  const r = await h.app.inject({ method: "POST", url: "/payment/trading/pay-in", headers: { "x-api-key": fx.merchant.apiKey }, payload: { fiatAmount: amount++ } });
  assert.equal(r.statusCode, 201, r.body);
  return r.json().id;
}
const row = (id: string) => h.deps.database.db.selectFrom("trading_payins").select(["status", "hold_state"]).where("id", "=", id).executeTakeFirstOrThrow();

test("support cancels an active pay-in from its page: hold voided, one audit entry; again is refused naming the status", async () => {
  const id = await activePayin();
  const viewer = await staffSession(h, "viewer");
  assert.doesNotMatch((await h.app.inject({ method: "GET", url: `/dashboard/payments/${id}`, headers: { cookie: viewer.cookie } })).body, /id="cancel"/);
  const support = await staffSession(h, "support");
  const page = await h.app.inject({ method: "GET", url: `/dashboard/payments/${id}`, headers: { cookie: support.cookie } });
  assert.match(page.body, /<section class="card" id="cancel">.*<details class="confirm">/s);
  const before = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM audit_log`.execute(h.deps.database.db)).rows[0]!.n);
  const post = () =>
    h.app.inject({ method: "POST", url: `/dashboard/payments/${id}/cancel`, headers: { cookie: support.cookie, "content-type": "application/x-www-form-urlencoded" }, payload: `csrf=${encodeURIComponent(support.csrf)}` });
  const r = await post();
  assert.equal(r.statusCode, 303);
  assert.equal(String(r.headers.location).split("?")[0], `/dashboard/payments/${id}`);
  assert.equal(noticeOf(r.headers.location).ok, `Payment ${id} is now canceled.`);
  assert.deepEqual(await row(id), { status: "canceled", hold_state: "voided" });
  const log = (await sql<{ actor: string; action: string; subject: string; details: Record<string, any> }>`SELECT actor, action, subject, details FROM audit_log ORDER BY id OFFSET ${before}`.execute(h.deps.database.db)).rows;
  assert.equal(log.length, 1);
  assert.deepEqual([log[0]!.actor, log[0]!.action, log[0]!.subject], [`staff:${support.staff.id}`, "payments.cancel", id]);
  assert.deepEqual(log[0]!.details.changes?.map((c: { before: unknown; after: unknown }) => [c.before, c.after]), [["active", "canceled"]]);
  assert.match(noticeOf((await post()).headers.location).error ?? "", /canceled/);
  assert.doesNotMatch((await h.app.inject({ method: "GET", url: `/dashboard/payments/${id}`, headers: { cookie: support.cookie } })).body, /id="cancel"/);
  await verifyLedgerClean(h.deps);
});

test("the operator API's cancel: same use case; a viewer key refused; an unknown id 404; a second cancel 409", async () => {
  const id = await activePayin();
  const viewer = await createOperatorKey(h.deps, "viewer bot", "viewer");
  assert.equal((await jsonCall(h.app, "POST", `/admin/v1/payments/${id}/cancel`, operatorHeader(viewer))).status, 403);
  const op = await createOperatorKey(h.deps, "support bot", "support");
  const ok = await jsonCall(h.app, "POST", `/admin/v1/payments/${id}/cancel`, operatorHeader(op));
  assert.equal(ok.status, 200, ok.text);
  assert.deepEqual(ok.json, { paymentId: id, dialect: "trading", status: "canceled" });
  const again = await jsonCall(h.app, "POST", `/admin/v1/payments/${id}/cancel`, operatorHeader(op));
  assert.equal(again.status, 409);
  assert.match(again.text, /canceled/);
  assert.equal((await jsonCall(h.app, "POST", "/admin/v1/payments/pi_nothing/cancel", operatorHeader(op))).status, 404);
  await verifyLedgerClean(h.deps);
});
