// Sandbox part for payment intents: the sandbox store's intent settings. Its first IPN secret is derived
// from the server secret; `rampart start` prints the one in force (seedSandbox reads it back).
import { ensureIntentSettings } from "../intents/store-settings.js";
import type { SeedPart } from "./seed.js";

const SANDBOX_SERVED_COUNTRIES = ["ES", "PT", "DE", "FR", "IT", "NL"];

export const seedIntentSettings: SeedPart = async (deps, creds) => {
  await ensureIntentSettings(deps, {
    storeId: creds.storeId,
    servedCountries: SANDBOX_SERVED_COUNTRIES,
    bank: { iban: "ES9121000418450200051332", bic: "CAIXESBBXXX", beneficiary: "Rampart Sandbox S.L.", bankName: "Sandbox Bank" },
    paymentWindowSeconds: 3600,
    kycWindowSeconds: 86_400,
    kycValidityDays: 365,
    acceptAmountMismatch: false,
    ipnSecret: creds.storeIpnSecret,
  });
};
