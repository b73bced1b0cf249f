// Staff accounts and roles through inject(): an operator key's role decides which /admin/v1 routes it
// may call (403 role_forbidden, nothing changed), a console role is refused an action with the same
// code on a page, failed sign-ins lock the account, a TOTP code and a recovery code each pass once, and
// disabling a person ends their session at once.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { changeStaffUser } from "../../src/app/staff/staff-accounts.js";
import { ADMIN_ROUTE_PERMISSIONS } from "../../src/http/admin/admin-permissions.js";
import { createHarness, type Harness } from "../support/harness.js";
import { createStaff, freshTotp, type StaffMember, staffSession } from "../support/staff.js";

let h: Harness;
before(async () => {
  h = await createHarness();
});
after(async () => h?.close());

const FORM = { "content-type": "application/x-www-form-urlencoded" };
const form = (o: Record<string, string>) => new URLSearchParams(o).toString();
const admin = (key: string, method: "GET" | "POST", url: string, body?: unknown) =>
  h.app.inject({ method, url, headers: { "x-operator-key": key, ...(body !== undefined ? { "content-type": "application/json" } : {}) }, ...(body !== undefined ? { payload: JSON.stringify(body) } : {}) });

test("every route in the operator API's permission table exists", () => {
  for (const route of Object.keys(ADMIN_ROUTE_PERMISSIONS)) {
    const [method, url] = route.split(" ") as ["POST", string];
    assert.ok(h.app.hasRoute({ method, url }), `${route} is not a route`);
  }
});

test("an operator key's role: viewer reads but is refused a dispute decision (403 role_forbidden); support may decide", async () => {
  const viewer = await createOperatorKey(h.deps, "dashboards", "viewer");
  const support = await createOperatorKey(h.deps, "support bot", "support");
  const finance = await createOperatorKey(h.deps, "finance bot", "finance");
  assert.equal((await admin(viewer, "GET", "/admin/v1/merchants")).statusCode, 200);
  const id = randomUUID();
  const refused = await admin(viewer, "POST", `/admin/v1/trading/pay-ins/${id}/resolve`, { outcome: "paid" });
  assert.equal(refused.statusCode, 403, refused.body);
  assert.equal(refused.json().error, "role_forbidden");
  assert.match(refused.json().message, /viewer role may not decide trading disputes/);
  assert.equal((await admin(finance, "POST", `/admin/v1/trading/pay-ins/${id}/resolve`, { outcome: "paid" })).statusCode, 403);
  // Allowed: the request goes on to the use case, which does not find the pay-in.
  assert.equal((await admin(support, "POST", `/admin/v1/trading/pay-ins/${id}/resolve`, { outcome: "paid" })).statusCode, 404);
  // Not in the table: admin only.
  const merchant = await admin(support, "POST", "/admin/v1/merchants", { name: "Nope" });
  assert.equal(merchant.statusCode, 403, merchant.body);
  assert.equal((await admin(await createOperatorKey(h.deps, "root"), "POST", "/admin/v1/merchants", { name: "Yes" })).statusCode, 201);
});

test("the console refuses a viewer's dispute decision with a 403 page naming role_forbidden", async () => {
  const { cookie, csrf } = await staffSession(h, "viewer");
  const r = await h.app.inject({
    method: "POST",
    url: `/dashboard/disputes/${randomUUID()}/resolve`,
    headers: { ...FORM, cookie },
    payload: form({ outcome: "paid", csrf }),
  });
  assert.equal(r.statusCode, 403);
  assert.match(r.body, /data-code="role_forbidden"/);
  assert.match(r.body, /The viewer role may not decide trading disputes/);
  // Reading is fine.
  assert.equal((await h.app.inject({ method: "GET", url: "/dashboard/disputes", headers: { cookie } })).statusCode, 200);
});

test("five wrong passwords from one address lock the account there: the right one is then 429", async () => {
  const staff = await createStaff(h, "finance");
  for (let i = 0; i < 5; i++) {
    const r = await h.app.inject({ method: "POST", url: "/dashboard/login", headers: FORM, payload: form({ email: staff.email, password: "wrong" }), remoteAddress: "203.0.113.7" });
    assert.equal(r.statusCode, 401);
  }
  const locked = await h.app.inject({ method: "POST", url: "/dashboard/login", headers: FORM, payload: form({ email: staff.email, password: staff.password }), remoteAddress: "203.0.113.7" });
  assert.equal(locked.statusCode, 429);
  assert.match(locked.body, /Too many failed sign-ins/);
  // Another address still signs in; after the lock's 15 minutes this one does too.
  const other = await h.app.inject({ method: "POST", url: "/dashboard/login", headers: FORM, payload: form({ email: staff.email, password: staff.password }), remoteAddress: "203.0.113.8" });
  assert.equal(other.statusCode, 303);
  h.clock.advance(15 * 60_000 + 1);
  const later = await h.app.inject({ method: "POST", url: "/dashboard/login", headers: FORM, payload: form({ email: staff.email, password: staff.password }), remoteAddress: "203.0.113.7" });
  assert.equal(later.statusCode, 303);
});

test("wrong passwords sent at once are counted one after another: past five from one address the rest, and then the right one, are 429", async () => {
  const staff = await createStaff(h, "finance");
  const attempt = (password: string) => h.app.inject({ method: "POST", url: "/dashboard/login", headers: FORM, payload: form({ email: staff.email, password }), remoteAddress: "203.0.113.9" });
  const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => attempt(`wrong ${i}`)));
  assert.deepEqual(answers.map((r) => r.statusCode).sort(), [401, 401, 401, 401, 401, 429, 429, 429]);
  assert.equal((await attempt(staff.password)).statusCode, 429);
});

/** The password, then `code` on the second-factor page: the answer to the code's post. */
async function signInWith(staff: StaffMember, code: string) {
  const login = await h.app.inject({ method: "POST", url: "/dashboard/login", headers: FORM, payload: form({ email: staff.email, password: staff.password }) });
  const cookie = String(login.headers["set-cookie"]).split(";")[0]!;
  const page = await h.app.inject({ method: "GET", url: "/dashboard/login/second-factor", headers: { cookie } });
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)![1]!;
  return h.app.inject({ method: "POST", url: "/dashboard/login/second-factor", headers: { ...FORM, cookie }, payload: form({ code, csrf }) });
}

test("a TOTP code passes once: the same code at the same step is refused the second time", async () => {
  const staff = await createStaff(h, "support");
  const code = freshTotp(h, staff.secret);
  assert.equal((await signInWith(staff, code)).statusCode, 303);
  const again = await signInWith(staff, code);
  assert.equal(again.statusCode, 400);
  assert.match(again.body, /wrong, expired or already used/);
});

test("a recovery code signs in once in place of a TOTP code; used, or unknown, it is refused", async () => {
  const staff = await createStaff(h, "finance");
  assert.equal(staff.recoveryCodes.length, 10);
  const [code, other] = staff.recoveryCodes as [string, string];
  const done = await signInWith(staff, code);
  assert.equal(done.statusCode, 303, done.body);
  const cookie = String(done.headers["set-cookie"]).split(";")[0]!;
  assert.equal((await h.app.inject({ method: "GET", url: "/dashboard/overview", headers: { cookie } })).statusCode, 200, "a full session");
  const used = await signInWith(staff, code);
  assert.equal(used.statusCode, 400);
  assert.match(used.body, /wrong, expired or already used/);
  assert.equal((await signInWith(staff, "0000-0000-0000-0000")).statusCode, 400);
  // The others still serve, typed in capitals and without dashes.
  assert.equal((await signInWith(staff, other.replace(/-/g, "").toUpperCase())).statusCode, 303);
});

test("disabling a staff account ends its session at once", async () => {
  const { cookie, staff } = await staffSession(h, "support");
  assert.equal((await h.app.inject({ method: "GET", url: "/dashboard/overview", headers: { cookie } })).statusCode, 200);
  const change = await changeStaffUser(h.deps, staff.id, { kind: "disable" });
  assert.deepEqual([change.before.disabled, change.after.disabled], [false, true]);
  const r = await h.app.inject({ method: "GET", url: "/dashboard/overview", headers: { cookie } });
  assert.equal(r.statusCode, 303);
  assert.equal(r.headers.location, "/dashboard/login");
});
