// The merchant portal's pages through inject() (issue 19): each role opens exactly its pages (403
// role_forbidden otherwise, and no form of a refused page acts), another merchant's payment is 404,
// the CSV and the overview's charts hold only the merchant's payments, and a key made in the portal is shown once and works.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { MerchantRole } from "../../src/core/merchant-users/roles.js";
import { createHarness, type Harness } from "../support/harness.js";
import { createMerchantUser, portalSession } from "../support/merchant-users.js";
import { getPage, noticeOf, postForm } from "../support/staff.js";
import { createPayinOverHttp, setupTrading, type TradingFixture, useFixedRate } from "../support/trading.js";

let h: Harness;
let a: TradingFixture;
let b: TradingFixture;
before(async () => {
  h = await createHarness({ tweak: (deps) => useFixedRate(deps, "99.12") });
  a = await setupTrading(h.deps);
  b = await setupTrading(h.deps);
});
after(async () => h?.close());

const PAGES = ["overview", "payments", "balance", "withdrawals", "keys", "webhooks", "settings", "developer", "users"] as const;
const ALLOWED: Record<MerchantRole, readonly (typeof PAGES)[number][]> = {
  owner: PAGES,
  developer: ["overview", "payments", "keys", "webhooks", "settings", "developer"],
  finance: ["overview", "payments", "balance", "withdrawals"],
  support: ["overview", "payments"],
};

test("each role opens its pages and is refused the others with a 403 page naming role_forbidden", async () => {
  for (const role of Object.keys(ALLOWED) as MerchantRole[]) {
    const s = await portalSession(h, await createMerchantUser(h, a.merchant.merchantId, role));
    for (const page of PAGES) {
      const r = await getPage(h, s, `/merchant/${page}`);
      const allowed = ALLOWED[role].includes(page);
      assert.equal(r.statusCode, allowed ? 200 : 403, `${role} /merchant/${page}: ${r.body.slice(0, 300)}`);
      if (!allowed) assert.match(r.body, /data-code="role_forbidden"/);
    }
  }
  const support = await portalSession(h, await createMerchantUser(h, a.merchant.merchantId, "support"));
  const keysBefore = (await getPage(h, await portalSession(h, await createMerchantUser(h, a.merchant.merchantId, "developer")), "/merchant/keys")).body.match(/data-key=/g)?.length;
  assert.equal((await postForm(h, support, "/merchant/keys", { label: "sneaky" })).statusCode, 403);
  assert.equal((await postForm(h, support, "/merchant/withdrawals", { addressId: "x", asset: "USDT", amount: "1" })).statusCode, 403);
  const dev = await portalSession(h, await createMerchantUser(h, a.merchant.merchantId, "developer"));
  assert.equal((await getPage(h, dev, "/merchant/keys")).body.match(/data-key=/g)?.length, keysBefore, "the refused POST made no key");
});

test("payments: the merchant's own only; another merchant's payment is 404; the CSV holds only its own", async () => {
  const mine = await createPayinOverHttp(h.app, a.merchant.apiKey, 1500);
  const theirs = await createPayinOverHttp(h.app, b.merchant.apiKey, 1600);
  const s = await portalSession(h, await createMerchantUser(h, a.merchant.merchantId, "support"));
  const list = await getPage(h, s, "/merchant/payments");
  assert.match(list.body, new RegExp(`data-payment="${mine.id}"`));
  assert.doesNotMatch(list.body, new RegExp(theirs.id));
  const one = await getPage(h, s, `/merchant/payments/${mine.id}?dialect=trading`);
  assert.equal(one.statusCode, 200);
  assert.match(one.body, /id="timeline"/);
  assert.doesNotMatch(one.body, new RegExp(a.traders[0]!.traderId), "the trader is not the merchant's to see");
  assert.equal((await getPage(h, s, `/merchant/payments/${theirs.id}?dialect=trading`)).statusCode, 404);
  const csv = await getPage(h, s, "/merchant/payments/export.csv");
  assert.equal(csv.statusCode, 200);
  assert.match(csv.body, new RegExp(mine.id));
  assert.doesNotMatch(csv.body, new RegExp(theirs.id));
  assert.doesNotMatch(csv.body.split("\n")[0]!, /trader/);

  // The overview's charts count this merchant's pay-ins only (B's are in the console's, not here).
  const count = async (key: string) => (await h.app.inject({ method: "GET", url: "/merchant/v1/payments?dialect=trading", headers: { "x-api-key": key } })).json().items.length as number;
  const [ownCount, otherCount] = [await count(a.merchant.apiKey), await count(b.merchant.apiKey)];
  assert.ok(otherCount > 0);
  const overview = await getPage(h, s, "/merchant/overview?range=7");
  const created = /<tr data-flow="trading"><td>[^<]*<\/td><td class="mono">(\d+)<\/td>/.exec(overview.body)?.[1];
  assert.equal(Number(created), ownCount, overview.body.slice(0, 2000));
  assert.match(overview.body, /<svg/);
});

test("a key made in the portal is shown once, works on the API, and revoking another merchant's key is the 404 page", async () => {
  const s = await portalSession(h, await createMerchantUser(h, a.merchant.merchantId, "developer"));
  // readOnly sent twice is refused, never read as "not read-only" (a full key).
  const keysBefore = (await h.app.inject({ method: "GET", url: "/merchant/v1/keys", headers: { "x-api-key": a.merchant.apiKey } })).json().items.length;
  const twice = await postForm(h, s, "/merchant/keys", { label: "reporting", readOnly: ["true", "true"] });
  assert.equal(twice.statusCode, 303);
  assert.equal(noticeOf(twice.headers.location).error, "readOnly must be sent once, as text.");
  assert.equal((await h.app.inject({ method: "GET", url: "/merchant/v1/keys", headers: { "x-api-key": a.merchant.apiKey } })).json().items.length, keysBefore);
  const made = await postForm(h, s, "/merchant/keys", { label: "reporting", readOnly: "true" });
  assert.equal(made.statusCode, 201, made.body);
  assert.equal(made.headers["cache-control"]?.includes("no-store"), true);
  const key = /id="secret-value">([^<]+)</.exec(made.body)![1]!;
  const read = await h.app.inject({ method: "GET", url: "/merchant/v1/balance", headers: { "x-api-key": key } });
  assert.equal(read.statusCode, 200);
  const write = await h.app.inject({ method: "POST", url: "/merchant/v1/keys", headers: { "x-api-key": key, "content-type": "application/json" }, payload: JSON.stringify({ label: "x" }) });
  assert.equal(write.statusCode, 403, "read-only");
  const bKeys = await h.app.inject({ method: "GET", url: "/merchant/v1/keys", headers: { "x-api-key": b.merchant.apiKey } });
  const bKeyId = bKeys.json().items[0].apiKeyId as string;
  const foreign = await postForm(h, s, `/merchant/keys/${bKeyId}/revoke`);
  assert.equal(foreign.statusCode, 404);
  assert.match(foreign.body, /data-code="not_found"/);
  assert.equal((await h.app.inject({ method: "GET", url: "/merchant/v1/balance", headers: { "x-api-key": b.merchant.apiKey } })).statusCode, 200, "B's key still works");
});
