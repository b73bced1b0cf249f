// The console's Traders page over inject (issue 18): creating a trader (its key shown once, the key
// works), a sandbox top-up of its deposit (booked once for the form's reference, the ledger clean, a
// bad amount refused) and a requisite's limits (saved as the operator API's PUT saves them, a bad
// value refused). Each change writes one audit entry; support and viewers see no form and are refused;
// in live mode there is no top-up form and a post is refused with deposit_via_chain's message.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { traderDepositBalance } from "../../src/app/trading/ledger-postings.js";
import { createHarness, type Harness } from "../support/harness.js";
import { auditEntryCount, lastAuditEntry } from "../support/audit-entries.js";
import { getPage, noticeOf, postForm, staffSession } from "../support/staff.js";
import { setupTrading, type TradingFixture, verifyLedgerClean } from "../support/trading.js";

let h: Harness;
let fx: TradingFixture;
before(async () => {
  h = await createHarness();
  fx = await setupTrading(h.deps);
});
after(() => h.close());


test("an admin creates a trader (key shown once) and tops up its deposit in sandbox: booked once per form", async () => {
  const admin = await staffSession(h, "admin");
  const created = await postForm(h, admin, "/dashboard/traders", { name: "Console Trader" });
  assert.equal(created.statusCode, 201, created.body);
  assert.equal(created.headers["cache-control"], "no-store");
  const key = /id="secret-value">([^<]+)</.exec(created.body)?.[1];
  const traderId = /Trader key of (trd_[^<]+)</.exec(created.body)?.[1];
  assert.ok(key?.startsWith("rtr_") && traderId, created.body);
  const me = await h.app.inject({ method: "GET", url: "/trader/v1/requisites", headers: { "x-trader-key": key } });
  assert.notEqual(me.statusCode, 401, "the trader key works");
  let e = await lastAuditEntry(h.deps);
  assert.deepEqual([e.actor, e.action, e.details.input.name], [`staff:${admin.staff.id}`, "traders", "Console Trader"]);
  assert.doesNotMatch(JSON.stringify(e), new RegExp(key!.slice(4)));

  const page = await getPage(h, admin, "/dashboard/traders");
  assert.doesNotMatch(page.body, new RegExp(key!), "the key is not shown again");
  const reference = new RegExp(`action="/dashboard/traders/${traderId}/deposit/top-ups"><input type="hidden" name="csrf" value="[^"]+">\\s*<input type="hidden" name="reference" value="([^"]+)"`).exec(page.body)?.[1];
  assert.ok(reference, "the top-up form carries its reference");
  const topUp = await postForm(h, admin, `/dashboard/traders/${traderId}/deposit/top-ups`, { amount: "1500.25", reference });
  assert.equal(topUp.statusCode, 303);
  assert.equal(noticeOf(topUp.headers.location).ok, "Topped up 1500.25 USDT. Free deposit 1500.25 USDT.");
  e = await lastAuditEntry(h.deps);
  assert.deepEqual([e.action, e.subject, e.details.input.amount], ["traders.deposit.top-ups", traderId, "1500.25"]);
  const count = await auditEntryCount(h.deps);
  const again = await postForm(h, admin, `/dashboard/traders/${traderId}/deposit/top-ups`, { amount: "1500.25", reference });
  assert.match(noticeOf(again.headers.location).ok ?? "", /booked before; nothing new/);
  assert.equal((await traderDepositBalance(h.deps, traderId!)).available, 1_500_250_000n);
  assert.equal(await auditEntryCount(h.deps), count, "the repeated form wrote nothing, so no entry");
  const bad = await postForm(h, admin, `/dashboard/traders/${traderId}/deposit/top-ups`, { amount: "-3", reference: "console-other" });
  assert.ok(noticeOf(bad.headers.location).error);
  const unknown = await postForm(h, admin, "/dashboard/traders/trd_nobody/deposit/top-ups", { amount: "1", reference: "console-x" });
  assert.match(noticeOf(unknown.headers.location).error ?? "", /Trader not found/);
  assert.equal(await auditEntryCount(h.deps), count);
  await verifyLedgerClean(h.deps);
});

test("an admin sets a requisite's limits; a bad value is refused and writes nothing", async () => {
  const admin = await staffSession(h, "admin");
  const traderId = fx.traders[0]!.traderId;
  const requisiteId = fx.requisiteIds[0]!;
  const url = `/dashboard/traders/${traderId}/requisites/${requisiteId}/limits`;
  assert.match((await getPage(h, admin, "/dashboard/traders")).body, new RegExp(`action="${url}"`));
  const saved = await postForm(h, admin, url, { maxOpenPayins: "7", dailyVolumeLimit: "500000.00", monthlyVolumeLimit: "" });
  assert.equal(saved.statusCode, 303);
  assert.equal(noticeOf(saved.headers.location).ok, `Limits of requisite ${requisiteId} saved.`);
  const row = await h.deps.database.db
    .selectFrom("trading_requisites")
    .select(["max_open_payins", "daily_volume_limit_minor", "monthly_volume_limit_minor"])
    .where("id", "=", requisiteId)
    .executeTakeFirstOrThrow();
  assert.deepEqual(row, { max_open_payins: 7, daily_volume_limit_minor: "50000000", monthly_volume_limit_minor: null });
  const e = await lastAuditEntry(h.deps);
  assert.deepEqual([e.action, e.subject], ["traders.requisites.limits", `${traderId}/${requisiteId}`]);
  assert.match((await getPage(h, admin, "/dashboard/traders")).body, /per day 500000\.00/);

  const count = await auditEntryCount(h.deps);
  for (const form of [
    { maxOpenPayins: "lots", dailyVolumeLimit: "", monthlyVolumeLimit: "" },
    { maxOpenPayins: "3", dailyVolumeLimit: "ten", monthlyVolumeLimit: "" },
  ]) {
    const r = await postForm(h, admin, url, form);
    assert.equal(r.statusCode, 303);
    assert.ok(noticeOf(r.headers.location).error);
  }
  const other = await postForm(h, admin, `/dashboard/traders/trd_other/requisites/${requisiteId}/limits`, { maxOpenPayins: "1" });
  assert.match(noticeOf(other.headers.location).error ?? "", /Requisite not found/);
  assert.equal(await auditEntryCount(h.deps), count);
});

test("support and viewers see traders without a form; their posts are refused", async () => {
  const traderId = fx.traders[0]!.traderId;
  for (const role of ["support", "viewer"] as const) {
    const s = await staffSession(h, role);
    const page = await getPage(h, s, "/dashboard/traders");
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, /id="create-trader"|deposit\/top-ups|\/limits"/);
    const count = await auditEntryCount(h.deps);
    assert.equal((await postForm(h, s, "/dashboard/traders", { name: "x" })).statusCode, 403);
    assert.equal((await postForm(h, s, `/dashboard/traders/${traderId}/deposit/top-ups`, { amount: "5", reference: "r-1" })).statusCode, 403);
    assert.equal(await auditEntryCount(h.deps), count);
  }
});

test("live mode: no top-up form, and a top-up post is refused (deposits come in on chain)", async () => {
  const live = await createHarness({ config: { mode: "live" } });
  try {
    const t = await setupTrading(live.deps);
    const admin = await staffSession(live, "admin");
    assert.doesNotMatch((await live.app.inject({ method: "GET", url: "/dashboard/traders", headers: { cookie: admin.cookie } })).body, /deposit\/top-ups/);
    const r = await live.app.inject({
      method: "POST",
      url: `/dashboard/traders/${t.traders[0]!.traderId}/deposit/top-ups`,
      headers: { cookie: admin.cookie, "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams({ csrf: admin.csrf, amount: "5", reference: "live-1" }).toString(),
    });
    assert.match(noticeOf(r.headers.location).error ?? "", /on chain/);
  } finally {
    await live.close();
  }
});
