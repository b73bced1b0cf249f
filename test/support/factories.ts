// Row factories: the smallest valid rows, with overrides.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import type { Deps } from "../../src/app/deps.js";
import { createMerchantKey } from "../../src/app/keys/create-keys.js";
import { MERCHANT_KEY_PREFIX } from "../../src/app/keys/key-formats.js";
import { parseKey } from "../../src/core/crypto/api-keys.js";
import { insertMerchant } from "../../src/db/merchants.js";
import { insertStore } from "../../src/db/stores.js";

export interface MerchantFixture {
  merchantId: string;
  storeId: string;
  apiKey: string;
  /** The key's id (api_keys.id), as a webhook's signing-key reference names it. */
  apiKeyId: string;
}

export async function createMerchant(deps: Deps, opts: { name?: string; storeId?: string } = {}): Promise<MerchantFixture> {
  const merchantId = randomUUID();
  const storeId = opts.storeId ?? `store_${merchantId.slice(0, 8)}`;
  assert.ok(await insertMerchant(deps.database.db, { id: merchantId, name: opts.name ?? "Test Merchant" }), `merchant ${merchantId} is new`);
  assert.ok(await insertStore(deps.database.db, { id: storeId, merchantId, name: "Test Store" }), `store ${storeId} is new`);
  const apiKey = await createMerchantKey(deps, merchantId, "test");
  return { merchantId, storeId, apiKey, apiKeyId: parseKey(MERCHANT_KEY_PREFIX, apiKey)!.id };
}
