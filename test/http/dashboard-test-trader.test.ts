// The console's "Test trader" checkbox (issue 19): it makes a test trader through the same use case as
// POST /admin/v1/trading/traders {test:true}, and the traders list tags it "test" (a live one untagged).
import assert from "node:assert/strict";
import { test } from "node:test";
import { createHarness } from "../support/harness.js";
import { getPage, postForm, staffSession } from "../support/staff.js";

test("the create form's Test trader checkbox makes a test trader, tagged in the list; without it a live one", async () => {
  const h = await createHarness();
  try {
    const admin = await staffSession(h, "admin");
    const form = await getPage(h, admin, "/dashboard/traders");
    assert.match(form.body, /<input type="checkbox" id="trader-test" name="test" value="on">/);
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
