// GET /v2/wallets and /v2/wallets/{walletId}: the customer's custodial balances, read from the ledger
// (customer_wallet accounts), one numbered wallet per crypto the card method is offered in, each
// valued in the customer's primary currency at the current rate.
import { cryptoValueInFiat } from "../../core/card/card-amounts.js";
import { fiatScale, isFiat } from "../../core/money/currencies.js";
import { type Decimal, parseDecimal } from "../../core/money/decimal.js";
import { AppError } from "../../core/shared/errors.js";
import { findCustomer } from "../../db/card/customers.js";
import { openWallets } from "../../db/card/wallets.js";
import { getBalance } from "../ledger/ledger.js";
import type { Deps } from "../deps.js";
import { customerWallet } from "./card-ledger.js";
import { cardPairs } from "./card-pricing.js";
import type { CustomerPrincipal } from "./customer-auth.js";

interface FiatValue {
  currency: string;
  scale: number;
  /** Fiat per 1 crypto. */
  rate: Decimal;
  amountMinor: bigint;
}

export interface WalletView {
  id: string;
  customerNumber: string;
  currency: string;
  decimals: number;
  postedMinor: bigint;
  availableMinor: bigint;
  /** Null when no rate is available right now. */
  fiat: FiatValue | null;
}

async function fiatValue(deps: Deps, fiat: string, crypto: string, decimals: number, minor: bigint): Promise<FiatValue | null> {
  let rate: Decimal;
  try {
    rate = parseDecimal((await deps.ports.rates.getRate(fiat, crypto)).rate);
  } catch {
    return null;
  }
  const scale = fiatScale(fiat);
  return { currency: fiat, scale, rate, amountMinor: cryptoValueInFiat(minor, decimals, rate, scale) };
}

export async function customerWallets(deps: Deps, who: CustomerPrincipal): Promise<WalletView[]> {
  const db = deps.database.db;
  const customer = (await findCustomer(db, who.customerId))!;
  const fiat = customer.primary_currency && isFiat(customer.primary_currency) ? customer.primary_currency : deps.config.card.limitCurrency;
  const assets = new Map((await cardPairs(deps)).map((p) => [p.asset.symbol, p.asset.decimals]));
  const wallets = await openWallets(db, who.customerId, [...assets.keys()], deps.clock.now());
  const out: WalletView[] = [];
  for (const w of wallets) {
    const decimals = assets.get(w.currency)!;
    const b = await getBalance(db, customerWallet(who.customerId, w.currency));
    out.push({
      id: w.id,
      customerNumber: customer.number,
      currency: w.currency,
      decimals,
      postedMinor: b.posted,
      availableMinor: b.available,
      fiat: await fiatValue(deps, fiat, w.currency, decimals, b.posted),
    });
  }
  return out;
}

/** One of the customer's wallets by its number; another customer's or an unknown one is 404. */
export async function customerWalletById(deps: Deps, who: CustomerPrincipal, walletId: string): Promise<WalletView> {
  const wallet = (await customerWallets(deps, who)).find((w) => w.id === walletId);
  if (!wallet) throw new AppError("not_found", { message: "No such wallet." });
  return wallet;
}
