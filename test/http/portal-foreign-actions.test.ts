// Every kind of portal form action, posted by merchant A's owner with merchant B's object in its path,
// answers the portal's 404 page (as B's item pages do) and changes nothing of B's (issue 19).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { jsonCall } from "../support/json-call.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { createMerchantUser, portalSession } from "../support/merchant-users.js";
import { getPage, postForm } from "../support/staff.js";

let h: Harness;
let a: MerchantFixture;
let b: MerchantFixture;
before(async () => {
  h = await createHarness();
  a = await createMerchant(h.deps);
  b = await createMerchant(h.deps);
});
after(async () => h?.close());

const asB = (method: "GET" | "POST", url: string, body?: unknown) => jsonCall(h.app, method, url, { "x-api-key": b.apiKey }, body);

test("A's owner posting every kind of portal form action at B's objects gets the 404 page; B's objects are unchanged", async () => {
  const bUser = await createMerchantUser(h, b.merchantId, "support");
  const bKeyId = (await asB("GET", "/merchant/v1/keys")).json.items[0].apiKeyId as string;
  const endpoint = await asB("POST", "/merchant/v1/webhook-endpoints", { url: "https://b.example/hooks", eventTypes: ["*"] });
  assert.equal(endpoint.status, 201, endpoint.text);
  const endpointId = endpoint.json.endpointId as string;
  const eventId = (await asB("POST", `/merchant/v1/webhook-endpoints/${endpointId}/test`)).json.eventId as string;
  assert.ok(eventId);
  const address = await asB("POST", "/merchant/v1/withdrawal-addresses", { network: "erc20", address: "0x52908400098527886E0F7030069857D2E4169EE7" });
  assert.equal(address.status, 201, address.text);

  const s = await portalSession(h, await createMerchantUser(h, a.merchantId, "owner"));
  const actions: [string, Record<string, string>?][] = [
    [`/merchant/users/${bUser.userId}/role`, { role: "owner" }],
    [`/merchant/users/${bUser.userId}/disable`],
    [`/merchant/users/${bUser.userId}/enable`],
    [`/merchant/keys/${bKeyId}/revoke`],
    [`/merchant/webhooks/${endpointId}/disable`],
    [`/merchant/webhooks/${endpointId}/enable`],
    [`/merchant/webhooks/${endpointId}/test`],
    [`/merchant/webhooks/${endpointId}/rotate-secret`],
    [`/merchant/webhooks/${endpointId}/messages/${eventId}/redeliver`],
    [`/merchant/withdrawals/addresses/${address.json.id}/remove`],
    [`/merchant/settings/stores/${b.storeId}`, { [`${b.storeId}-defaultIpnUrl`]: "https://a.example/ipn" }],
  ];
  for (const [url, form] of actions) {
    const res = await postForm(h, s, url, form);
    assert.equal(res.statusCode, 404, `${url}: ${res.statusCode} ${res.headers.location ?? ""}`);
    assert.match(res.body, /data-code="not_found"/, url);
    assert.equal(res.headers.location, undefined, url);
  }
  // The item pages answer the same.
  assert.equal((await getPage(h, s, `/merchant/webhooks/${endpointId}`)).statusCode, 404);

  // Nothing of B's changed: its key works, its endpoint is enabled with one message, its address is listed.
  assert.equal((await asB("GET", "/merchant/v1/balance")).status, 200);
  const e = await asB("GET", `/merchant/v1/webhook-endpoints/${endpointId}`);
  assert.equal(e.json.enabled, true);
  assert.equal(e.json.previousSecretExpiresAt ?? null, null, "no rotation");
  const addresses = await asB("GET", "/merchant/v1/withdrawal-addresses");
  assert.equal(addresses.json.items.length, 1);
  const users = await h.app.inject({ method: "GET", url: "/merchant/users", headers: { cookie: (await portalSession(h, await createMerchantUser(h, b.merchantId, "owner"))).cookie } });
  assert.match(users.body, new RegExp(`data-user="${bUser.userId}"><td>[^<]+</td><td>support</td><td><span class="status ok">active`));

  // A's own bad value is not a missing object: the settings page again, saying why (400).
  const own = await postForm(h, s, `/merchant/settings/stores/${a.storeId}`, { [`${a.storeId}-kycValidityDays`]: "abc" });
  assert.equal(own.statusCode, 400);
  assert.match(own.body, /role="alert">Invalid value for stores\.0\.kycValidityDays/);
});
