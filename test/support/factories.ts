// Row factories: the smallest valid rows, with overrides.
import { randomUUID } from "node:crypto";
import type { Deps } from "../../src/app/deps.js";
import { createMerchantKey } from "../../src/app/keys/create-keys.js";

export interface MerchantFixture {
  merchantId: string;
  storeId: string;
  apiKey: string;
}

export async function createMerchant(deps: Deps, opts: { name?: string; storeId?: string } = {}): Promise<MerchantFixture> {
  const merchantId = randomUUID();
  const storeId = opts.storeId ?? `store_${merchantId.slice(0, 8)}`;
  await deps.database.db.insertInto("merchants").values({ id: merchantId, name: opts.name ?? "Test Merchant" }).execute();
  await deps.database.db.insertInto("stores").values({ id: storeId, merchant_id: merchantId, name: "Test Store" }).execute();
  const apiKey = await createMerchantKey(deps, merchantId, "test");
  return { merchantId, storeId, apiKey };
}
