// Prices an intent with the shared pricing (pairs table, cached rate, pure quote; fiat wins when both
// amounts are given). Fees are all included in the crypto owed. The dialect's payment-method names
// map onto the pair's method keys: a bank transfer is the pair's "sepa" method.
import { AppError } from "../../core/shared/errors.js";
import type { Deps } from "../deps.js";
import { loadPair } from "../pricing/pairs.js";
import { type PricedQuote, quoteFor } from "../pricing/price.js";

/** Dialect name → pair method key. Unlisted names are the same on both sides (e.g. "card"). */
const PAIR_METHOD: Record<string, string> = { bank_transfer: "sepa" };
const DIALECT_METHOD: Record<string, string> = Object.fromEntries(Object.entries(PAIR_METHOD).map(([d, p]) => [p, d]));

export const DEFAULT_PAYMENT_METHOD = "bank_transfer";
/** Methods an intent can be paid with today (the instructions are bank-transfer instructions). */
const INTENT_PAYABLE_METHODS: readonly string[] = ["bank_transfer"];

interface IntentPriceRequest {
  fiat: string;
  crypto: string;
  network: string;
  paymentMethod: string;
  fiatMinor?: bigint;
  cryptoMinor?: bigint;
}

/** Pricing errors carry the request field at fault: no pair → cryptoSymbol; method not offered → paymentMethod. */
function withField(err: unknown): never {
  if (err instanceof AppError && err.code === "pair_unavailable" && (err.field === undefined || err.field === "method")) {
    throw new AppError("pair_unavailable", { field: err.field === "method" ? "paymentMethod" : "cryptoSymbol", message: err.message });
  }
  throw err;
}

/** Intents and their estimates are priced only for a method an intent can be paid with (not `card`). */
export async function priceIntent(deps: Deps, r: IntentPriceRequest): Promise<PricedQuote> {
  if (!INTENT_PAYABLE_METHODS.includes(r.paymentMethod)) {
    throw new AppError("pair_unavailable", { field: "paymentMethod", message: `Intents are paid by ${INTENT_PAYABLE_METHODS.join(", ")}.` });
  }
  const key = { fiat: r.fiat, crypto: r.crypto, network: r.network };
  return quoteFor(deps, {
    ...key,
    method: PAIR_METHOD[r.paymentMethod] ?? r.paymentMethod,
    ...(r.fiatMinor !== undefined ? { fiatMinor: r.fiatMinor } : {}),
    ...(r.cryptoMinor !== undefined ? { cryptoMinor: r.cryptoMinor } : {}),
  }).catch(withField);
}

/** The dialect's names of the methods a pair offers that an intent can be paid with (a pair's `card` is not one). */
export async function offeredPaymentMethods(deps: Deps, key: { fiat: string; crypto: string; network: string }): Promise<string[]> {
  const loaded = await loadPair(deps, key).catch(withField);
  const methods = Object.keys(loaded.pair.limits)
    .map((m) => DIALECT_METHOD[m] ?? m)
    .filter((m) => INTENT_PAYABLE_METHODS.includes(m))
    .sort();
  if (methods.length === 0) {
    throw new AppError("pair_unavailable", { field: "cryptoSymbol", message: `${loaded.pair.fiat}→${loaded.pair.crypto} on ${loaded.pair.network} cannot be paid by ${INTENT_PAYABLE_METHODS.join(", ")}.` });
  }
  return methods;
}
