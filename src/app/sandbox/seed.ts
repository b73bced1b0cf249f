// Idempotent sandbox data. Every area adds its part as a SeedPart in its own file and lists it in
// SEED_PARTS; each part must be safe to run again (insert ... on conflict do nothing).
import { hashKey } from "../../core/crypto/api-keys.js";
import { insertOperatorKey } from "../../db/credentials.js";
import { insertMerchant } from "../../db/merchants.js";
import { findAccountByEmail } from "../../db/staff/account-users.js";
import { insertStore } from "../../db/stores.js";
import type { Deps } from "../deps.js";
import { refuseLiveDatabase } from "../ops/live-database.js";
import { storeIpnSecret } from "../intents/store-settings.js";
import { storeMerchantKey } from "../keys/create-keys.js";
import { createStaffUser } from "../staff/staff-accounts.js";
import { type SandboxCredentials, sandboxCredentials } from "./sandbox-credentials.js";
import { seedPricing } from "./seed-pricing.js";
import { seedIntentSettings } from "./seed-intent.js";
import { seedTrading } from "./seed-trading.js";

export type SeedPart = (deps: Deps, creds: SandboxCredentials) => Promise<void>;

const seedMerchant: SeedPart = async (deps, creds) => {
  const db = deps.database.db;
  await insertMerchant(db, { id: creds.merchantId, name: "Sandbox Merchant" });
  await insertStore(db, { id: creds.storeId, merchantId: creds.merchantId, name: "Sandbox Store" });
  await storeMerchantKey(deps, creds.merchantId, creds.merchantKey, "sandbox");
  await insertOperatorKey(db, { id: creds.operatorKey.id, keyHash: hashKey(creds.operatorKey.key), label: "sandbox" });
  // Looked up first: the password hash is deliberately slow, and seeding runs at every sandbox start.
  if (!(await findAccountByEmail(db, "operator", creds.staff.email))) await createStaffUser(deps, { email: creds.staff.email, role: "admin", password: creds.staff.password });
};

const SEED_PARTS: { name: string; run: SeedPart }[] = [
  { name: "merchant, store, keys and the console admin", run: seedMerchant },
  { name: "currency pairs", run: seedPricing },
  { name: "payment-intent store settings", run: seedIntentSettings },
  { name: "trading banks, traders, requisites and settings", run: seedTrading },
];

export async function seedSandbox(deps: Deps, progress: (line: string) => void = () => {}): Promise<SandboxCredentials> {
  await refuseLiveDatabase(deps.database.db);
  const creds = sandboxCredentials(deps.config.secretKey);
  for (const part of SEED_PARTS) {
    progress(`seeding ${part.name}`);
    await part.run(deps, creds);
  }
  // A rotated secret replaces the derived one: print what IPNs are signed with now.
  return { ...creds, storeIpnSecret: (await storeIpnSecret(deps, creds.storeId)) ?? creds.storeIpnSecret };
}
