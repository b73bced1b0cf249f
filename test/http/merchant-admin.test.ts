// /admin/v1/merchants: creating a merchant with its first API key (which then works on the merchant
// APIs), retries with a chosen id (409), validation naming the field, cursor pagination of merchants
// and of a merchant's stores, and issuing and revoking API keys (another merchant's key is 404).
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { type Json, type Method, jsonCall, operatorHeader } from "../support/json-call.js";
import { INTENT_RATES_ENV, intentBody, seedPairs, storeSettingsBody } from "../support/intents.js";

let h: Harness;
let other: MerchantFixture;
let op: string;

before(async () => {
  h = await createHarness({ env: INTENT_RATES_ENV });
  await seedPairs(h);
  other = await createMerchant(h.deps);
  op = await createOperatorKey(h.deps, "test");
});
after(() => h?.close());

const admin = (method: Method, url: string, body?: unknown, key: string | null = op) => jsonCall(h.app, method, url, operatorHeader(key), body);

/** A merchant API call with `key`; the status tells whether the key is accepted. */
const asMerchant = (key: string, method: "GET" | "POST", url: string, body?: unknown) => jsonCall(h.app, method, url, { "x-api-key": key }, body);

const networks = async (key: string) => (await asMerchant(key, "GET", "/payment/networks")).status;

async function newMerchant(name = "Acme") {
  const r = await admin("POST", "/admin/v1/merchants", { name });
  assert.equal(r.status, 201, r.text);
  return r.json as { merchantId: string; name: string; createdAt: string; apiKeyId: string; apiKey: string };
}

test("every route needs an operator key", async () => {
  const m = await newMerchant();
  const calls: [Method, string, unknown][] = [
    ["POST", "/admin/v1/merchants", { name: "x" }],
    ["GET", "/admin/v1/merchants", undefined],
    ["GET", `/admin/v1/merchants/${m.merchantId}`, undefined],
    ["GET", `/admin/v1/merchants/${m.merchantId}/stores`, undefined],
    ["POST", `/admin/v1/merchants/${m.merchantId}/api-keys`, {}],
    ["DELETE", `/admin/v1/merchants/${m.merchantId}/api-keys/${m.apiKeyId}`, undefined],
  ];
  for (const [method, url, body] of calls) {
    for (const key of [null, "rop_wrong", m.apiKey]) {
      const r = await admin(method, url, body, key);
      assert.equal(r.status, 401, `${method} ${url} with ${key ?? "no key"}`);
      assert.equal(r.json.error, "unauthorized");
    }
  }
  assert.equal(await networks(m.apiKey), 200, "nothing was revoked");
});

describe("creating merchants", () => {
  test("201 with the first API key, shown once (no-store); the key works on the merchant's own stores", async () => {
    const r = await admin("POST", "/admin/v1/merchants", { name: "  Shop Group  " });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.headers["cache-control"], "no-store");
    const m = r.json;
    assert.match(m.merchantId, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(m.name, "Shop Group");
    assert.equal(m.createdAt, h.clock.now().toISOString());
    assert.match(m.apiKey, new RegExp(`^rmp_${m.apiKeyId}_[A-Za-z0-9_-]{43}$`));

    assert.equal(await networks(m.apiKey), 200);
    // The key acts for this merchant: an intent for its store is created, another merchant's store is not its own.
    const store = await admin("POST", `/admin/v1/merchants/${m.merchantId}/stores`, {
      name: "Main",
      intentSettings: storeSettingsBody({ servedCountries: ["ES"] }),
    });
    assert.equal(store.status, 201, store.text);
    const intent = await asMerchant(m.apiKey, "POST", "/payment/intent", intentBody(store.json.storeId));
    assert.equal(intent.status, 201, JSON.stringify(intent.json));
    const foreign = await asMerchant(m.apiKey, "POST", "/payment/intent", intentBody(other.storeId));
    assert.equal(foreign.status, 403);
    assert.equal(foreign.json.error, "store_mismatch");

    const shown = await admin("GET", `/admin/v1/merchants/${m.merchantId}`);
    assert.equal(shown.status, 200);
    assert.deepEqual(
      { ...shown.json, apiKeys: shown.json.apiKeys.map((k: Json) => ({ ...k, createdAt: typeof k.createdAt })) },
      { merchantId: m.merchantId, name: "Shop Group", createdAt: m.createdAt, apiKeys: [{ apiKeyId: m.apiKeyId, label: "first key", readOnly: false, mode: "live", createdAt: "string", revokedAt: null }] },
    );
    // The secret is everything after `rmp_<id>_`; it may itself contain "_".
    const secret = m.apiKey.slice(`rmp_${m.apiKeyId}_`.length);
    assert.equal(secret.length, 43);
    assert.ok(!shown.text.includes(secret), "the key itself is never shown again");
    const stored = await h.deps.database.db.selectFrom("api_keys").select(["key_enc"]).where("id", "=", m.apiKeyId).executeTakeFirstOrThrow();
    assert.ok(!stored.key_enc.includes(m.apiKey), "stored encrypted");
  });

  test("a chosen id: a retry is 409 conflict on id and writes nothing (no second key)", async () => {
    const id = randomUUID();
    const first = await admin("POST", "/admin/v1/merchants", { id, name: "Retry Ltd" });
    assert.equal(first.status, 201, first.text);
    assert.equal(first.json.merchantId, id);
    for (const again of [id, id.toUpperCase()]) {
      const r = await admin("POST", "/admin/v1/merchants", { id: again, name: "Retry Ltd (2)" });
      assert.equal(r.status, 409, r.text);
      assert.equal(r.json.error, "conflict");
      assert.equal(r.json.field, "id");
      assert.ok(!("apiKey" in r.json));
    }
    const keys = await h.deps.database.db.selectFrom("api_keys").select("id").where("merchant_id", "=", id).execute();
    assert.equal(keys.length, 1);
    assert.equal((await admin("GET", `/admin/v1/merchants/${id}`)).json.name, "Retry Ltd", "the first write stands");
    assert.equal(await networks(first.json.apiKey), 200);
  });

  test("a bad body is 400 validation_failed naming the field; nothing is written", async () => {
    const before = await h.deps.database.db.selectFrom("merchants").select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow();
    const cases: [string, Json][] = [
      ["name", { name: "" }],
      ["name", { name: "   " }],
      ["name", { name: "x".repeat(201) }],
      ["name", { name: "Acme\nLtd" }],
      ["name", { name: 42 }],
      ["name", {}],
      ["id", { id: "not-a-uuid", name: "Acme" }],
      ["extra", { name: "Acme", extra: 1 }],
    ];
    for (const [field, body] of cases) {
      const r = await admin("POST", "/admin/v1/merchants", body);
      assert.equal(r.status, 400, `${JSON.stringify(body).slice(0, 60)}: ${r.text}`);
      assert.equal(r.json.error, "validation_failed");
      assert.equal(r.json.field, field, `${JSON.stringify(body).slice(0, 60)} → ${r.text}`);
    }
    const after = await h.deps.database.db.selectFrom("merchants").select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow();
    assert.equal(after.n, before.n);
    assert.equal((await admin("POST", "/admin/v1/merchants", { name: "x".repeat(200) })).status, 201, "200 characters is the bound");
  });
});

describe("listing", () => {
  test("merchants newest first, page by page, each exactly once; limit outside 1 to 100 or a bad cursor is 400", async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      h.clock.advance(1000);
      made.push((await newMerchant(`Paged ${i}`)).merchantId);
    }
    const seen: Json[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r = await admin("GET", `/admin/v1/merchants?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      assert.equal(r.status, 200, r.text);
      assert.ok(r.json.items.length <= 2);
      seen.push(...r.json.items);
      cursor = r.json.nextCursor;
      assert.ok(++pages < 100);
    } while (cursor);
    const total = await h.deps.database.db.selectFrom("merchants").select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow();
    assert.equal(seen.length, Number(total.n), "every merchant once");
    assert.equal(new Set(seen.map((m) => m.merchantId)).size, seen.length, "no merchant twice");
    const order = seen.map((m) => m.merchantId).filter((id) => made.includes(id));
    assert.deepEqual(order, [...made].reverse(), "newest first");
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i - 1]!.createdAt >= seen[i]!.createdAt, "ordered by creation, newest first");
    assert.deepEqual(Object.keys(seen[0]!).sort(), ["createdAt", "merchantId", "name"]);

    const first = await admin("GET", "/admin/v1/merchants?limit=1");
    assert.deepEqual(first.json.items, [seen[0]]);
    // A well-formed cursor no page gave (no such merchant) is as bad as a malformed one, not an empty page.
    for (const q of ["cursor=nope", `cursor=${randomUUID()}`, "limit=abc", "limit=-1", "limit=0", "limit=101", "limit=999", "cursor="]) {
      const r = await admin("GET", `/admin/v1/merchants?${q}`);
      assert.equal(r.status, 400, `${q}: ${r.text}`);
      assert.equal(r.json.error, "validation_failed");
      assert.equal(r.json.field, q.split("=")[0]);
    }
  });

  test("one merchant: unknown or malformed id is 404", async () => {
    for (const id of [randomUUID(), "nope", "00000000-0000-0000-0000-00000000000g"]) {
      const r = await admin("GET", `/admin/v1/merchants/${id}`);
      assert.equal(r.status, 404, id);
      assert.equal(r.json.error, "not_found");
    }
  });

  test("a merchant's stores, newest first, with whether intent settings exist; never another merchant's; a cursor naming none of its stores is 400", async () => {
    const m = await newMerchant("Stores Inc");
    const ids: string[] = [];
    for (const [i, withSettings] of [false, true, false].entries()) {
      h.clock.advance(1000);
      const r = await admin("POST", `/admin/v1/merchants/${m.merchantId}/stores`, {
        id: `st_${m.merchantId.slice(0, 8)}_${i}`,
        name: `Store ${i}`,
        ...(withSettings
          ? {
              intentSettings: storeSettingsBody({ servedCountries: ["ES"] }),
            }
          : {}),
      });
      assert.equal(r.status, 201, r.text);
      ids.push(r.json.storeId);
    }
    const p1 = await admin("GET", `/admin/v1/merchants/${m.merchantId}/stores?limit=2`);
    assert.equal(p1.status, 200, p1.text);
    assert.deepEqual(
      p1.json.items.map((s: Json) => [s.storeId, s.name, s.hasIntentSettings]),
      [
        [ids[2], "Store 2", false],
        [ids[1], "Store 1", true],
      ],
    );
    assert.equal(p1.json.nextCursor, ids[1]);
    const p2 = await admin("GET", `/admin/v1/merchants/${m.merchantId}/stores?limit=2&cursor=${p1.json.nextCursor}`);
    assert.deepEqual(p2.json.items.map((s: Json) => s.storeId), [ids[0]]);
    assert.equal(p2.json.nextCursor, null);
    const full = await admin("GET", `/admin/v1/merchants/${m.merchantId}/stores?limit=3`);
    assert.deepEqual([full.json.items.length, full.json.nextCursor], [3, null], "an exactly full last page has no next cursor");
    assert.equal(p2.json.items[0].createdAt, new Date(h.clock.now().getTime() - 2000).toISOString());

    const theirs = await admin("GET", `/admin/v1/merchants/${other.merchantId}/stores`);
    assert.deepEqual(theirs.json.items.map((s: Json) => s.storeId), [other.storeId]);
    for (const cursor of [ids[2], "zz"]) {
      const r = await admin("GET", `/admin/v1/merchants/${other.merchantId}/stores?cursor=${cursor}`);
      assert.deepEqual([r.status, r.json.error, r.json.field], [400, "validation_failed", "cursor"], `${cursor}: another merchant's store or no store at all: ${r.text}`);
    }
    assert.equal((await admin("GET", `/admin/v1/merchants/${randomUUID()}/stores`)).status, 404);
    assert.equal((await admin("GET", "/admin/v1/merchants/nope/stores")).status, 404);
  });
});

describe("API keys", () => {
  test("issue another key (shown once): both work; revoke one: refused at once, the other still works", async () => {
    const m = await newMerchant("Keys GmbH");
    const issued = await admin("POST", `/admin/v1/merchants/${m.merchantId}/api-keys`, { label: "checkout server" });
    assert.equal(issued.status, 201, issued.text);
    assert.equal(issued.headers["cache-control"], "no-store");
    assert.equal(issued.json.merchantId, m.merchantId);
    assert.match(issued.json.apiKey, new RegExp(`^rmp_${issued.json.apiKeyId}_`));
    const bare = await admin("POST", `/admin/v1/merchants/${m.merchantId}/api-keys`);
    assert.equal(bare.status, 201, `a body is optional: ${bare.text}`);
    for (const key of [m.apiKey, issued.json.apiKey, bare.json.apiKey]) assert.equal(await networks(key), 200);

    // The first key was just used, so this process has it cached: revocation must still apply at once.
    const revoked = await admin("DELETE", `/admin/v1/merchants/${m.merchantId}/api-keys/${m.apiKeyId}`);
    assert.equal(revoked.status, 200, revoked.text);
    assert.deepEqual(revoked.json, { merchantId: m.merchantId, apiKeyId: m.apiKeyId, revokedAt: h.clock.now().toISOString() });
    const refused = await asMerchant(m.apiKey, "GET", "/payment/networks");
    assert.equal(refused.status, 401);
    assert.equal(refused.json.error, "unauthorized");
    assert.equal(await networks(issued.json.apiKey), 200, "other keys keep working");

    h.clock.advance(60_000);
    const again = await admin("DELETE", `/admin/v1/merchants/${m.merchantId}/api-keys/${m.apiKeyId}`);
    assert.equal(again.status, 200);
    assert.equal(again.json.revokedAt, revoked.json.revokedAt, "revoking again keeps the first time");

    const keys = (await admin("GET", `/admin/v1/merchants/${m.merchantId}`)).json.apiKeys as Json[];
    const byId = new Map(keys.map((k) => [k.apiKeyId, k]));
    assert.equal(keys.length, 3);
    assert.equal(byId.get(m.apiKeyId)!.revokedAt, revoked.json.revokedAt);
    assert.equal(byId.get(issued.json.apiKeyId)!.label, "checkout server");
    assert.equal(byId.get(issued.json.apiKeyId)!.revokedAt, null);
    assert.equal(byId.get(bare.json.apiKeyId)!.label, "");
  });

  test("another merchant's key, an unknown key or an unknown merchant is 404, and nothing is revoked", async () => {
    const m = await newMerchant("Tenant A");
    const otherKeyId = other.apiKey.split("_")[1]!;
    for (const url of [
      `/admin/v1/merchants/${m.merchantId}/api-keys/${otherKeyId}`,
      `/admin/v1/merchants/${m.merchantId}/api-keys/0000000000000000`,
      `/admin/v1/merchants/${m.merchantId}/api-keys/not-a-key`,
      `/admin/v1/merchants/${randomUUID()}/api-keys/${m.apiKeyId}`,
      `/admin/v1/merchants/nope/api-keys/${m.apiKeyId}`,
    ]) {
      const r = await admin("DELETE", url);
      assert.equal(r.status, 404, url);
      assert.equal(r.json.error, "not_found");
    }
    assert.equal(await networks(other.apiKey), 200, "the other merchant's key still works");
    assert.equal(await networks(m.apiKey), 200);
    const unknown = await admin("POST", `/admin/v1/merchants/${randomUUID()}/api-keys`, {});
    assert.equal(unknown.status, 404);
    const badLabel = await admin("POST", `/admin/v1/merchants/${m.merchantId}/api-keys`, { label: "x".repeat(101) });
    assert.equal(badLabel.status, 400);
    assert.equal(badLabel.json.field, "label");
  });
});
