// Merchant portal users (issue 19) through inject(): the operator invites by the admin API and the
// console, the one-time link sets the password and the TOTP enrolment, sign-in and sign-out are in
// the audit log, roles decide the pages (403 role_forbidden), an owner invites and changes their own
// merchant's people only, and every POST needs the session's CSRF token.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import os from "node:os";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { run as merchantRun } from "../../src/cli/merchant-command.js";
import type { CliRuntime } from "../../src/cli/runtime.js";
import { auditEntryCount, lastAuditEntry } from "../support/audit-entries.js";
import { createMerchant } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { acceptInvitation, createMerchantUser, invitePathOf, portalSession } from "../support/merchant-users.js";
import { getPage, noticeOf, postForm, staffSession } from "../support/staff.js";

let h: Harness;
before(async () => {
  h = await createHarness();
});
after(async () => h?.close());

const FORM = { "content-type": "application/x-www-form-urlencoded" };

test("the operator's invitation (admin API): the link sets the password once, then TOTP; the person signs in and out, audited", async () => {
  const m = await createMerchant(h.deps, { name: "Shop Group" });
  const key = await createOperatorKey(h.deps, "onboarding", "admin");
  const res = await h.app.inject({
    method: "POST",
    url: `/admin/v1/merchants/${m.merchantId}/users`,
    headers: { "x-operator-key": key, "content-type": "application/json" },
    payload: JSON.stringify({ email: "Owner@Shop.example", role: "owner" }),
  });
  assert.equal(res.statusCode, 201, res.body);
  assert.equal(res.headers["cache-control"], "no-store");
  const invite = res.json();
  assert.equal(invite.email, "owner@shop.example");
  assert.match(invite.inviteUrl, /\/merchant\/invite\/[A-Za-z0-9_-]{43}$/);
  assert.equal((await lastAuditEntry(h.deps)).action, "merchants.users");

  const page = await h.app.inject({ method: "GET", url: invitePathOf(invite.inviteUrl) });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Join Shop Group on Rampart/);
  const short = await h.app.inject({ method: "POST", url: invitePathOf(invite.inviteUrl), headers: FORM, payload: "password=short" });
  assert.equal(short.statusCode, 400);
  assert.match(short.body, /at least|12 to 1024/);

  const password = "a long enough passphrase";
  const { cookie } = await acceptInvitation(h, invite.inviteUrl, password);
  const overview = await getPage(h, { cookie }, "/merchant/overview");
  assert.equal(overview.statusCode, 200);
  assert.match(overview.body, new RegExp(`data-merchant="${m.merchantId}"`));
  const signInEntry = await lastAuditEntry(h.deps);
  assert.equal(signInEntry.actor, `merchant-user:${invite.userId}`);
  assert.equal(signInEntry.action, "merchant-user.sign-in");
  assert.equal(signInEntry.details.via, "portal");

  // The link is spent: it neither shows the form nor sets a password again.
  assert.equal((await h.app.inject({ method: "GET", url: invitePathOf(invite.inviteUrl) })).statusCode, 404);
  const again = await h.app.inject({ method: "POST", url: invitePathOf(invite.inviteUrl), headers: FORM, payload: "password=another+long+password" });
  assert.equal(again.statusCode, 404);
  const shortOnSpent = await h.app.inject({ method: "POST", url: invitePathOf(invite.inviteUrl), headers: FORM, payload: "password=short" });
  assert.equal(shortOnSpent.statusCode, 404);
  assert.match(shortOnSpent.body, /data-code="not_found"/, "the spent link's page, not the password form");

  const csrf = /name="csrf" value="([^"]+)"/.exec(overview.body)![1]!;
  const out = await postForm(h, { cookie, csrf }, "/merchant/logout");
  assert.equal(out.statusCode, 303);
  assert.equal((await lastAuditEntry(h.deps)).action, "merchant-user.sign-out");
  const after = await getPage(h, { cookie }, "/merchant/overview");
  assert.equal(after.statusCode, 303);
  assert.equal(after.headers.location, "/merchant/login");

  // The same e-mail cannot be invited twice (one account per e-mail).
  const dup = await h.app.inject({
    method: "POST",
    url: `/admin/v1/merchants/${m.merchantId}/users`,
    headers: { "x-operator-key": key, "content-type": "application/json" },
    payload: JSON.stringify({ email: "owner@shop.example", role: "support" }),
  });
  assert.equal(dup.statusCode, 409);
  const listed = await h.app.inject({ method: "GET", url: `/admin/v1/merchants/${m.merchantId}/users`, headers: { "x-operator-key": key } });
  assert.deepEqual(
    listed.json().items.map((u: { email: string; state: string }) => [u.email, u.state]),
    [["owner@shop.example", "active"]],
  );
});

test("an expired invitation link is refused", async () => {
  const m = await createMerchant(h.deps);
  const key = await createOperatorKey(h.deps, "onboarding-2", "admin");
  const res = await h.app.inject({
    method: "POST",
    url: `/admin/v1/merchants/${m.merchantId}/users`,
    headers: { "x-operator-key": key, "content-type": "application/json" },
    payload: JSON.stringify({ email: "late@shop.example", role: "finance" }),
  });
  h.clock.advance(7 * 24 * 3600_000 + 1000);
  const late = await h.app.inject({ method: "POST", url: invitePathOf(res.json().inviteUrl), headers: FORM, payload: "password=a+long+enough+passphrase" });
  assert.equal(late.statusCode, 404);
  const row = await sql<{ password_hash: string | null }>`SELECT password_hash FROM merchant_users WHERE id = ${res.json().userId}`.execute(h.deps.database.db);
  assert.equal(row.rows[0]!.password_hash, null);
});

test("an unused invitation is re-issued (operator API, then an owner in the portal): the old link is dead, the new one works; audited", async () => {
  const m = await createMerchant(h.deps);
  const key = await createOperatorKey(h.deps, "onboarding-3", "admin");
  const invite = (role: string) =>
    h.app.inject({
      method: "POST",
      url: `/admin/v1/merchants/${m.merchantId}/users`,
      headers: { "x-operator-key": key, "content-type": "application/json" },
      payload: JSON.stringify({ email: "lost@shop.example", role }),
    });
  const first = await invite("finance");
  assert.equal(first.statusCode, 201, first.body);
  h.clock.advance(7 * 24 * 3600_000 + 1000);
  const second = await invite("owner");
  assert.equal(second.statusCode, 201, second.body);
  assert.equal(second.json().userId, first.json().userId, "the same user, a new link");
  assert.notEqual(second.json().inviteUrl, first.json().inviteUrl);
  assert.equal(Date.parse(second.json().expiresAt), h.clock.now().getTime() + 7 * 24 * 3600_000);
  assert.equal((await lastAuditEntry(h.deps)).action, "merchants.users");

  // An owner (the re-issued role) re-issues a colleague's lost link from the portal: the operator's second link dies.
  const owner = { userId: second.json().userId, merchantId: m.merchantId, email: "lost@shop.example", role: "owner" as const, password: "a long enough passphrase", secret: "" };
  const colleague = (await invite("support")).json();
  assert.equal(colleague.userId, first.json().userId, "still invited: re-issued again");
  const peer = await createMerchantUser(h, m.merchantId, "owner");
  const s = await portalSession(h, peer);
  const again = await postForm(h, s, "/merchant/users", { email: "lost@shop.example", role: "owner" });
  assert.equal(again.statusCode, 201, again.body);
  assert.equal((await lastAuditEntry(h.deps)).actor, `merchant-user:${peer.userId}`);
  const link = /id="secret-value">([^<]+)</.exec(again.body)?.[1]!;
  for (const old of [first.json().inviteUrl, second.json().inviteUrl, colleague.inviteUrl]) {
    assert.equal((await h.app.inject({ method: "GET", url: invitePathOf(old) })).statusCode, 404, `old link ${old}`);
    const used = await h.app.inject({ method: "POST", url: invitePathOf(old), headers: FORM, payload: "password=a+long+enough+passphrase" });
    assert.equal(used.statusCode, 404);
  }
  owner.secret = (await acceptInvitation(h, link, owner.password)).secret;
  await portalSession(h, owner);

  // Now active: inviting the e-mail again is a conflict, from the API and the portal.
  assert.equal((await invite("support")).statusCode, 409);
  const refused = await postForm(h, s, "/merchant/users", { email: "lost@shop.example", role: "support" });
  assert.match(String(refused.headers.location), /[?&]error=An\+account\+for\+lost%40shop\.example\+already\+exists/, refused.body);
  const listed = await h.app.inject({ method: "GET", url: `/admin/v1/merchants/${m.merchantId}/users`, headers: { "x-operator-key": key } });
  assert.deepEqual(
    listed.json().items.filter((u: { email: string }) => u.email === "lost@shop.example").map((u: { role: string; state: string }) => [u.role, u.state]),
    [["owner", "active"]],
  );
});

test("the console invites from the merchant's page and shows the link once", async () => {
  const m = await createMerchant(h.deps);
  const s = await staffSession(h, "admin");
  const res = await postForm(h, s, `/dashboard/merchants/${m.merchantId}/users`, { email: "dev@shop.example", role: "developer" });
  assert.equal(res.statusCode, 201, res.body);
  const link = /id="secret-value">([^<]+)</.exec(res.body)?.[1];
  assert.match(link ?? "", /\/merchant\/invite\//);
  const entry = await lastAuditEntry(h.deps);
  assert.equal(entry.actor, `staff:${s.staff.id}`);
  assert.equal(entry.details.input.email, "[withheld]");
  const viewer = await staffSession(h, "viewer");
  assert.equal((await postForm(h, viewer, `/dashboard/merchants/${m.merchantId}/users`, { email: "x@shop.example", role: "owner" })).statusCode, 403);
});

test("roles decide the pages: support is refused the users page with role_forbidden; the owner manages its own merchant's people only", async () => {
  const a = await createMerchant(h.deps);
  const b = await createMerchant(h.deps);
  const owner = await createMerchantUser(h, a.merchantId, "owner");
  const support = await createMerchantUser(h, a.merchantId, "support");
  const other = await createMerchantUser(h, b.merchantId, "support");

  const sup = await portalSession(h, support);
  const refused = await getPage(h, sup, "/merchant/users");
  assert.equal(refused.statusCode, 403);
  assert.match(refused.body, /data-code="role_forbidden"/);
  assert.doesNotMatch((await getPage(h, sup, "/merchant/overview")).body, /href="\/merchant\/users"/, "the menu leaves out what the role may not open");
  assert.equal((await postForm(h, sup, "/merchant/users", { email: "sneaky@shop.example", role: "owner" })).statusCode, 403);

  const own = await portalSession(h, owner);
  const invited = await postForm(h, own, "/merchant/users", { email: "fin@shop.example", role: "finance" });
  assert.equal(invited.statusCode, 201, invited.body);
  assert.match(invited.body, /id="secret-value">[^<]*\/merchant\/invite\//);
  const entry = await lastAuditEntry(h.deps);
  assert.equal(entry.actor, `merchant-user:${owner.userId}`);
  assert.equal(entry.details.via, "portal");
  assert.equal(entry.details.merchantId, a.merchantId);

  // Another merchant's user is not found (the 404 page, as an item page); the support user's role changes and its session ends.
  const foreign = await postForm(h, own, `/merchant/users/${other.userId}/disable`);
  assert.equal(foreign.statusCode, 404);
  assert.match(foreign.body, /data-code="not_found"/);
  const promoted = await postForm(h, own, `/merchant/users/${support.userId}/role`, { role: "finance" });
  assert.match(noticeOf(promoted.headers.location).ok!, /now finance/);
  assert.equal((await getPage(h, sup, "/merchant/overview")).statusCode, 303, "a changed role ends the session");
  const self = await postForm(h, own, `/merchant/users/${owner.userId}/disable`);
  assert.match(noticeOf(self.headers.location).error!, /your own account/);

  // A POST without the session's CSRF token changes nothing.
  const forged = await h.app.inject({ method: "POST", url: "/merchant/users", headers: { ...FORM, cookie: own.cookie }, payload: "email=forged%40shop.example&role=owner" });
  assert.equal(forged.statusCode, 403);
});

test("a console session does not open the portal, nor a portal session the console", async () => {
  const m = await createMerchant(h.deps);
  const owner = await createMerchantUser(h, m.merchantId, "owner");
  const portal = await portalSession(h, owner);
  const staff = await staffSession(h, "admin");
  const p = await h.app.inject({ method: "GET", url: "/merchant/overview", headers: { cookie: staff.cookie } });
  assert.equal(p.headers.location, "/merchant/login");
  const d = await h.app.inject({ method: "GET", url: "/dashboard/overview", headers: { cookie: portal.cookie.replace("rampart_merchant", "rampart_operator") } });
  assert.equal(d.headers.location, "/dashboard/login");
});

test("CLI: rampart merchant invite prints a working link once and writes one audit entry without the e-mail", async (t) => {
  const m = await createMerchant(h.deps);
  const runtime = { withDeps: (fn: (deps: typeof h.deps) => Promise<number>) => fn(h.deps) } as unknown as CliRuntime;
  const out: string[] = [];
  t.mock.method(process.stdout, "write", (chunk: string) => out.push(String(chunk)) > 0);
  assert.equal(await merchantRun({ merchant: m.merchantId, email: "cli-owner@shop.example", role: "finance" }, ["invite"], runtime), 0);
  t.mock.restoreAll();
  const link = /(http\S+\/merchant\/invite\/\S+)/.exec(out.join(""))?.[1];
  assert.ok(link, out.join(""));
  const entry = await lastAuditEntry(h.deps);
  assert.deepEqual([entry.actor, entry.action, entry.subject, entry.details.role], [`cli:${os.userInfo().username}`, "merchants.users", m.merchantId, "finance"]);
  assert.doesNotMatch(JSON.stringify(entry), /cli-owner@shop\.example/);
  const { cookie } = await acceptInvitation(h, link, "a long enough passphrase");
  assert.equal((await getPage(h, { cookie }, "/merchant/balance")).statusCode, 200, "finance opens the balance");
  assert.equal(await merchantRun({ merchant: m.merchantId, email: "x@shop.example" }, ["list"], runtime), 2);
});

test("the operator changes a portal user's role, disables and enables one (admin API and console), audited; sessions end; the last active owner stays (409 last_owner)", async () => {
  const m = await createMerchant(h.deps);
  const other = await createMerchant(h.deps);
  const owner = await createMerchantUser(h, m.merchantId, "owner");
  const dev = await createMerchantUser(h, m.merchantId, "developer");
  const foreign = await createMerchantUser(h, other.merchantId, "support");
  const key = await createOperatorKey(h.deps, "support desk", "admin");
  const call = (path: string, body?: unknown) =>
    h.app.inject({
      method: "POST",
      url: `/admin/v1/merchants/${path}`,
      headers: { "x-operator-key": key, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });

  // The only active owner can be neither demoted nor disabled, by the operator either.
  const devSession = await portalSession(h, dev);
  const entriesBefore = await auditEntryCount(h.deps);
  for (const [path, body] of [[`${m.merchantId}/users/${owner.userId}/role`, { role: "finance" }], [`${m.merchantId}/users/${owner.userId}/disable`, undefined]] as const) {
    const refused = await call(path, body);
    assert.equal(refused.statusCode, 409, refused.body);
    assert.equal(refused.json().error, "last_owner");
  }
  assert.equal(await auditEntryCount(h.deps), entriesBefore, "a refused change is no action: nothing audited");

  const promoted = await call(`${m.merchantId}/users/${dev.userId}/role`, { role: "owner" });
  assert.equal(promoted.statusCode, 200, promoted.body);
  assert.deepEqual(promoted.json(), { merchantId: m.merchantId, userId: dev.userId, email: dev.email, role: "owner", disabled: false });
  const entry = await lastAuditEntry(h.deps);
  assert.equal(entry.action, "merchants.users.role");
  assert.equal(entry.details.via, "api");
  assert.equal((await getPage(h, devSession, "/merchant/overview")).statusCode, 303, "a changed role ends the person's sessions");

  // Two owners now: the first may be disabled; that ends its sessions and its sign-in.
  const ownerSession = await portalSession(h, owner);
  const disabled = await call(`${m.merchantId}/users/${owner.userId}/disable`);
  assert.equal(disabled.statusCode, 200, disabled.body);
  assert.equal(disabled.json().disabled, true);
  assert.equal((await lastAuditEntry(h.deps)).action, "merchants.users.disable");
  assert.equal((await getPage(h, ownerSession, "/merchant/overview")).statusCode, 303, "disabling ends the sessions");
  const list = await h.app.inject({ method: "GET", url: `/admin/v1/merchants/${m.merchantId}/users`, headers: { "x-operator-key": key } });
  assert.equal(list.json().items.find((u: { userId: string }) => u.userId === owner.userId).state, "disabled");
  // ... and the remaining owner is now the last one, in the portal too (same rule, same use case).
  const lastOwner = await call(`${m.merchantId}/users/${dev.userId}/disable`);
  assert.equal(lastOwner.json().error, "last_owner");

  // Another merchant's user, an unknown merchant, a bad role.
  assert.equal((await call(`${m.merchantId}/users/${foreign.userId}/disable`)).statusCode, 404);
  assert.equal((await call(`not-a-merchant/users/${dev.userId}/disable`)).statusCode, 404);
  assert.equal((await call(`${m.merchantId}/users/${owner.userId}/role`, { role: "root" })).statusCode, 400);

  // The console's merchant page: the same forms; enabling the disabled owner again.
  const staff = await staffSession(h, "admin");
  const page = await getPage(h, staff, `/dashboard/merchants/${m.merchantId}`);
  assert.match(page.body, new RegExp(`action="/dashboard/merchants/${m.merchantId}/users/${owner.userId}/enable"`));
  const enabled = await postForm(h, staff, `/dashboard/merchants/${m.merchantId}/users/${owner.userId}/enable`);
  assert.match(noticeOf(enabled.headers.location).ok ?? "", /enabled/);
  const consoleEntry = await lastAuditEntry(h.deps);
  assert.equal(consoleEntry.action, "merchants.users.enable");
  assert.equal(consoleEntry.actor, `staff:${staff.staff.id}`);
  const demoted = await postForm(h, staff, `/dashboard/merchants/${m.merchantId}/users/${dev.userId}/role`, { role: "developer" });
  assert.match(noticeOf(demoted.headers.location).ok ?? "", /is now developer/);
  const refusedInConsole = await postForm(h, staff, `/dashboard/merchants/${m.merchantId}/users/${owner.userId}/role`, { role: "support" });
  assert.match(noticeOf(refusedInConsole.headers.location).error ?? "", /last active owner/);
  const viewer = await staffSession(h, "viewer");
  assert.equal((await postForm(h, viewer, `/dashboard/merchants/${m.merchantId}/users/${dev.userId}/disable`)).statusCode, 403);
});

test("two owners disabling each other at once: one wins, the other is 409 last_owner (decided by the row locks)", async () => {
  const m = await createMerchant(h.deps);
  const [x, y] = [await createMerchantUser(h, m.merchantId, "owner"), await createMerchantUser(h, m.merchantId, "owner")];
  const [sx, sy] = [await portalSession(h, x), await portalSession(h, y)];
  const results = await Promise.all([postForm(h, sx, `/merchant/users/${y.userId}/disable`), postForm(h, sy, `/merchant/users/${x.userId}/disable`)]);
  // The loser is refused last_owner, or (when the winner committed before its request was read) finds
  // its own session ended by the winner's change and is sent to sign in.
  const notices = results.map((r) => (r.headers.location === "/merchant/login" ? { signIn: "yes" } : noticeOf(r.headers.location)));
  assert.equal(notices.filter((n) => n.ok).length, 1, JSON.stringify(notices));
  assert.equal(notices.filter((n) => /last active owner/.test(n.error ?? "") || n.signIn).length, 1, JSON.stringify(notices));
  const owners = await sql<{ n: string }>`SELECT count(*) AS n FROM merchant_users WHERE merchant_id = ${m.merchantId} AND role = 'owner' AND disabled_at IS NULL`.execute(h.deps.database.db);
  assert.equal(Number(owners.rows[0]!.n), 1);
});
