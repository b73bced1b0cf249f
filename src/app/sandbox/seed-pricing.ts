// Sandbox part: the demo pairs (the built-in assets come with migration 0002_pricing). Existing rows
// are left alone, so an operator's edits survive a re-seed.
import { BUILTIN_ASSETS } from "../../core/money/assets.js";
import { fiatScale } from "../../core/money/currencies.js";
import { parsePairSpec, type PairSpec } from "../../core/pricing/pair.js";
import { insertPairIfMissing } from "../../db/pricing/pricing-store.js";
import type { SeedPart } from "./seed.js";

const card = (min: string, max: string) => ({ card: { min, max } });

export const SANDBOX_PAIRS: PairSpec[] = [
  { fiat: "EUR", crypto: "USDT", network: "trc20", methods: { ...card("10", "5000"), sepa: { min: "10", max: "20000" } }, spreadBps: 50, fee: { percentBps: 150, fixed: "0.25", tiers: [{ from: "1000", percentBps: 100, fixed: "0" }] }, networkFee: "1" },
  { fiat: "EUR", crypto: "USDT", network: "erc20", methods: { ...card("20", "5000"), sepa: { min: "20", max: "20000" } }, spreadBps: 50, fee: { percentBps: 150, fixed: "0.25" }, networkFee: "5" },
  { fiat: "EUR", crypto: "BTC", network: "bitcoin", methods: { ...card("20", "5000"), sepa: { min: "20", max: "20000" } }, spreadBps: 80, fee: { percentBps: 200, fixed: "0.50" }, networkFee: "0.0001" },
  { fiat: "EUR", crypto: "ETH", network: "ethereum", methods: { ...card("20", "5000"), sepa: { min: "20", max: "20000" } }, spreadBps: 80, fee: { percentBps: 200, fixed: "0.50" }, networkFee: "0.001" },
  { fiat: "USD", crypto: "USDT", network: "trc20", methods: card("10", "5000"), spreadBps: 50, fee: { percentBps: 150, fixed: "0.30" }, networkFee: "1" },
  { fiat: "RUB", crypto: "USDT", network: "trc20", methods: { ...card("1000", "500000"), sbp: { min: "500", max: "1000000" } }, spreadBps: 100, fee: { percentBps: 200 }, networkFee: "1" },
  { fiat: "KZT", crypto: "USDT", network: "trc20", methods: card("5000", "2500000"), spreadBps: 100, fee: { percentBps: 200 }, networkFee: "1" },
];

export const seedPricing: SeedPart = async (deps) => {
  const db = deps.database.db;
  for (const spec of SANDBOX_PAIRS) {
    const asset = BUILTIN_ASSETS.find((a) => a.symbol === spec.crypto && a.network === spec.network)!;
    await insertPairIfMissing(db, parsePairSpec(spec, { fiatScale: fiatScale(spec.fiat), cryptoDecimals: asset.decimals }));
  }
};
