import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { API_KEY_CACHE_TTL_MS, authenticateMerchant } from "../../src/app/auth/authenticate.js";
import { AppError } from "../../src/core/shared/errors.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";

let h: Harness;
let m: MerchantFixture;
before(async () => {
  h = await createHarness();
  m = await createMerchant(h.deps);
});
after(() => h.close());

const unauthorized = (e: unknown) => e instanceof AppError && e.code === "unauthorized";

test("a revoked key stops working within the cache TTL; a wrong secret for a cached key id never works", async () => {
  assert.equal((await authenticateMerchant(h.deps, m.apiKey)).merchantId, m.merchantId);
  const wrong = m.apiKey.slice(0, -4) + (m.apiKey.endsWith("AAAA") ? "BBBB" : "AAAA");
  await assert.rejects(authenticateMerchant(h.deps, wrong), unauthorized, "the hash is compared on every request");
  await h.deps.database.db.updateTable("api_keys").set({ revoked_at: new Date() }).where("merchant_id", "=", m.merchantId).execute();
  await new Promise((r) => setTimeout(r, API_KEY_CACHE_TTL_MS + 100));
  await assert.rejects(authenticateMerchant(h.deps, m.apiKey), unauthorized);
});
