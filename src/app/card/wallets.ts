// GET /v2/wallets: the customer's custodial balances, read from the ledger (customer_wallet accounts).
import { getBalance } from "../ledger/ledger.js";
import type { Deps } from "../deps.js";
import { customerWallet } from "./card-ledger.js";
import { walletAsset } from "./card-pricing.js";
import type { CustomerPrincipal } from "./customer-auth.js";

export interface WalletBalance {
  currency: string;
  decimals: number;
  postedMinor: bigint;
  availableMinor: bigint;
}

export async function customerWallets(deps: Deps, who: CustomerPrincipal): Promise<WalletBalance[]> {
  const out: WalletBalance[] = [];
  for (const currency of deps.config.card.cryptos) {
    const b = await getBalance(deps.database.db, customerWallet(who.customerId, currency));
    out.push({ currency, decimals: walletAsset(currency).decimals, postedMinor: b.posted, availableMinor: b.available });
  }
  return out;
}
