// GET /v2/wallets: the customer's custodial balances, read from the ledger (customer_wallet accounts),
// one per crypto the card method is offered in.
import { getBalance } from "../ledger/ledger.js";
import type { Deps } from "../deps.js";
import { customerWallet } from "./card-ledger.js";
import { cardPairs } from "./card-pricing.js";
import type { CustomerPrincipal } from "./customer-auth.js";

interface WalletBalance {
  currency: string;
  decimals: number;
  postedMinor: bigint;
  availableMinor: bigint;
}

export async function customerWallets(deps: Deps, who: CustomerPrincipal): Promise<WalletBalance[]> {
  const assets = new Map((await cardPairs(deps)).map((p) => [p.asset.symbol, p.asset.decimals]));
  const out: WalletBalance[] = [];
  for (const [currency, decimals] of assets) {
    const b = await getBalance(deps.database.db, customerWallet(who.customerId, currency));
    out.push({ currency, decimals, postedMinor: b.posted, availableMinor: b.available });
  }
  return out;
}
