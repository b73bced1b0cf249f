// Sandbox part for the trading dialect: the banks catalogue, five traders with funded USDT deposits
// and requisites (three in RUB, one in KZT, one in EUR), one test trader (RUB, test twins only), and trading settings for the sandbox merchant
// (RUB by default, KZT and EUR accepted, fee 8.5%). Idempotent: fixed
// ids, insert-or-skip, and the funding transfer has a fixed id (a repeat is a no-op in the ledger).
import { createHmac } from "node:crypto";
import { deriveKey } from "../../core/crypto/api-keys.js";
import { upsertBank } from "../../db/trading/traders.js";
import { findRequisite } from "../../db/trading/requisites.js";
import { fundTraderDeposit } from "../trading/ledger-postings.js";
import { saveTradingSettings } from "../trading/settings-admin.js";
import { createRequisite, createTrader, TRADER_KEY_PREFIX } from "../trading/traders.js";
import type { SandboxTrader } from "./sandbox-credentials.js";
import type { SeedPart } from "./seed.js";

export const SANDBOX_BANKS = [
  { code: "SBER", name: "Sberbank", methods: ["sbp", "card"], fiatCurrency: "RUB" },
  { code: "TBANK", name: "T-Bank", methods: ["sbp", "card"], fiatCurrency: "RUB" },
  { code: "ALFA", name: "Alfa-Bank", methods: ["sbp", "card", "account"], fiatCurrency: "RUB" },
  { code: "VTB", name: "VTB", methods: ["sbp", "card"], fiatCurrency: "RUB" },
  { code: "OZON", name: "Ozon Bank", methods: ["sbp"], fiatCurrency: "RUB" },
  { code: "KASPI", name: "Kaspi Bank", methods: ["card"], fiatCurrency: "KZT" },
  { code: "HALYK", name: "Halyk Bank", methods: ["card", "account"], fiatCurrency: "KZT" },
  { code: "REVOLUT", name: "Revolut", methods: ["iban", "card"], fiatCurrency: "EUR" },
];

/** The sandbox merchant accepts these, the first by default. */
const SANDBOX_CURRENCIES = ["RUB", "KZT", "EUR"];

/** 100,000 USDT per sandbox trader, in micro-units. */
const SANDBOX_TRADER_DEPOSIT = 100_000_000_000n;

function derived(secret: string, purpose: string): Buffer {
  return createHmac("sha256", secret).update(`sandbox:trading:${purpose}`).digest();
}

function uuidFrom(b: Buffer): string {
  const h = Buffer.from(b.subarray(0, 16));
  h[6] = (h[6]! & 0x0f) | 0x40;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

const TRADERS = [
  {
    name: "Sandbox Trader One",
    requisites: [
      { bank: "SBER", method: "card", ownerName: "Ivan I.", number: "2202200000000001" },
      { bank: "SBER", method: "sbp", ownerName: "Ivan I.", sbpPhone: "+79000000001" },
    ],
  },
  {
    name: "Sandbox Trader Two",
    requisites: [
      { bank: "TBANK", method: "card", ownerName: "Maria P.", number: "2200700000000002" },
      { bank: "TBANK", method: "sbp", ownerName: "Maria P.", sbpPhone: "+79000000002" },
    ],
  },
  {
    name: "Sandbox Trader Three",
    requisites: [
      { bank: "ALFA", method: "card", ownerName: "Oleg S.", number: "2200150000000003" },
      { bank: "ALFA", method: "account", ownerName: "Oleg S.", number: "40817810000000000003" },
    ],
  },
  {
    name: "Sandbox Trader Four",
    requisites: [
      { bank: "KASPI", method: "card", ownerName: "Aigerim K.", number: "4400430000000004" },
      { bank: "HALYK", method: "account", ownerName: "Aigerim K.", number: "KZ86125KZT5004100100" },
    ],
  },
  {
    name: "Sandbox Trader Five",
    requisites: [
      { bank: "REVOLUT", method: "iban", ownerName: "Jan K.", number: "LT601010012345678901" },
      { bank: "REVOLUT", method: "card", ownerName: "Jan K.", number: "5355000000000005" },
    ],
  },
];
/** The sandbox traders' ids, names and keys, derived from the server secret (printed at start). */
export function sandboxTraders(secret: string): SandboxTrader[] {
  return TRADERS.map((t, i) => ({
    traderId: `trd_sandbox_${i + 1}`,
    name: t.name,
    key: deriveKey(TRADER_KEY_PREFIX, Buffer.concat([derived(secret, `trader-key-${i}`), derived(secret, `trader-key-${i}-2`)])),
  }));
}

/** The test trader (issue 19): backs only test twins' pay-ins; its deposit comes from the test platform. */
export const SANDBOX_TEST_TRADER_ID = "trd_sandbox_test";
const TEST_TRADER_REQUISITES = [
  { bank: "SBER", method: "card", ownerName: "Test T.", number: "2202200000000900" },
  { bank: "SBER", method: "sbp", ownerName: "Test T.", sbpPhone: "+79000000900" },
];

async function seedTestTrader(deps: Parameters<SeedPart>[0], secret: string): Promise<void> {
  const key = deriveKey(TRADER_KEY_PREFIX, Buffer.concat([derived(secret, "test-trader-key"), derived(secret, "test-trader-key-2")]));
  await createTrader(deps, "Sandbox Test Trader", key, SANDBOX_TEST_TRADER_ID, true);
  for (const [j, r] of TEST_TRADER_REQUISITES.entries()) {
    const id = uuidFrom(derived(secret, `test-requisite-${j}`));
    if (!(await findRequisite(deps.database.db, id))) await createRequisite(deps, { id, traderId: SANDBOX_TEST_TRADER_ID, maxOpenPayins: 50, ...r });
  }
  await fundTraderDeposit(deps, SANDBOX_TEST_TRADER_ID, SANDBOX_TRADER_DEPOSIT, `sandbox:trading:fund:${SANDBOX_TEST_TRADER_ID}`);
}

export const seedTrading: SeedPart = async (deps, creds) => {
  for (const b of SANDBOX_BANKS) await upsertBank(deps.database.db, b);
  const secret = deps.config.secretKey;
  for (const [i, t] of TRADERS.entries()) {
    const { traderId, key } = creds.traders[i]!;
    await createTrader(deps, t.name, key, traderId);
    for (const [j, r] of t.requisites.entries()) {
      const id = uuidFrom(derived(secret, `requisite-${i}-${j}`));
      if (!(await findRequisite(deps.database.db, id))) await createRequisite(deps, { id, traderId, maxOpenPayins: 50, ...r });
    }
    await fundTraderDeposit(deps, traderId, SANDBOX_TRADER_DEPOSIT, `sandbox:trading:fund:${traderId}`);
  }
  await seedTestTrader(deps, secret);
  await saveTradingSettings(deps, creds.merchantId, { fiatCurrency: SANDBOX_CURRENCIES[0]!, fiatCurrencies: SANDBOX_CURRENCIES, feeRate: "0.085" }, false);
};
