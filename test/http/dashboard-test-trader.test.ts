// The console's "Test trader" checkbox (issue 19): it makes a test trader through the same use case as
// POST /admin/v1/trading/traders {test:true}, and the traders list tags it "test" (a live one untagged).
// In a live installation a test trader's card carries the top-up form (play money from test funding,
// booked once per form) and a live trader's does not.
import assert from "node:assert/strict";
import { test } from "node:test";
import { traderDepositBalance } from "../../src/app/trading/ledger-postings.js";
import { createTrader } from "../../src/app/trading/traders.js";
import { LIVE_ENV, createHarness } from "../support/harness.js";
import { platformBalances } from "../support/platform-balances.js";
import { getPage, noticeOf, postForm, staffSession } from "../support/staff.js";
import { verifyLedgerClean } from "../support/trading.js";

test("the create form's Test trader checkbox makes a test trader, tagged in the list; without it a live one", async () => {
  const h = await createHarness();
  try {
    const admin = await staffSession(h, "admin");
    const form = await getPage(h, admin, "/dashboard/traders");
    assert.match(form.body, /<input type="checkbox" id="trader-test" name="test" value="on"[^>]*>/);
    const made = async (payload: Record<string, string>) => {
      const r = await postForm(h, admin, "/dashboard/traders", payload);
      assert.equal(r.statusCode, 201, r.body);
      return /Trader key of (trd_[^<]+)</.exec(r.body)![1]!;
    };
    const testId = await made({ name: "Console Test Trader", test: "on" });
    const liveId = await made({ name: "Console Live Trader" });
    const rows = await h.deps.database.db.selectFrom("traders").select(["id", "test"]).where("id", "in", [testId, liveId]).execute();
    assert.deepEqual(Object.fromEntries(rows.map((r) => [r.id, r.test])), { [testId]: true, [liveId]: false });
    const list = (await getPage(h, admin, "/dashboard/traders")).body;
    const heading = (id: string) => new RegExp(`data-trader="${id}"><h2>([\\s\\S]*?)</h2>`).exec(list)?.[1] ?? "";
    assert.match(heading(testId), /data-test-trader>test</);
    assert.doesNotMatch(heading(liveId), /data-test-trader/);
  } finally {
    await h.close();
  }
});

test("live installation: a test trader's card has the top-up form and it books play money once; a live trader's has none", async () => {
  const h = await createHarness({ env: LIVE_ENV });
  try {
    const admin = await staffSession(h, "admin");
    const tester = await createTrader(h.deps, "Console QA Trader", undefined, undefined, true);
    const live = await createTrader(h.deps, "Console Live Trader");
    const list = (await getPage(h, admin, "/dashboard/traders")).body;
    const card = (id: string) => new RegExp(`data-trader="${id}">([\\s\\S]*?)(?=<div class="card" data-trader=|$)`).exec(list)?.[1] ?? "";
    assert.match(card(live.traderId), /Console Live Trader/);
    assert.doesNotMatch(card(live.traderId), /deposit\/top-ups/, "a live trader's deposit comes in on chain");
    const url = `/dashboard/traders/${tester.traderId}/deposit/top-ups`;
    const reference = new RegExp(`action="${url}"><input type="hidden" name="csrf" value="[^"]+">\\s*<input type="hidden" name="reference" value="([^"]+)"`).exec(card(tester.traderId))?.[1];
    assert.ok(reference, "the test trader's card carries the top-up form");
    assert.match(card(tester.traderId), /Test top-up \(USDT, play money\)/);

    const liveBefore = await platformBalances(h.deps, "platform");
    const r = await postForm(h, admin, url, { amount: "250", reference });
    assert.equal(noticeOf(r.headers.location).ok, "Topped up 250 USDT. Free deposit 250 USDT.");
    assert.match(noticeOf((await postForm(h, admin, url, { amount: "250", reference })).headers.location).ok ?? "", /booked before; nothing new/);
    assert.equal((await traderDepositBalance(h.deps, tester.traderId)).available, 250_000_000n);
    assert.equal((await platformBalances(h.deps, "platform:test"))["USDT platform_funding"], "-250000000");
    assert.deepEqual(await platformBalances(h.deps, "platform"), liveBefore);
    const refused = await postForm(h, admin, `/dashboard/traders/${live.traderId}/deposit/top-ups`, { amount: "5", reference: "console-live" });
    assert.match(noticeOf(refused.headers.location).error ?? "", /on chain/);
    await verifyLedgerClean(h.deps);
  } finally {
    await h.close();
  }
});
