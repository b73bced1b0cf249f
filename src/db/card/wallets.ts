// SQL for the numbered custodial wallets of card customers (the balances are in the ledger).
import type { Db } from "../schema.js";

interface WalletRow {
  id: string;
  currency: string;
}

/** Numbers the customer's wallet in each currency (an existing one keeps its id), in id order. */
export async function openWallets(db: Db, customerId: string, currencies: string[], now: Date): Promise<WalletRow[]> {
  if (currencies.length === 0) return [];
  await db
    .insertInto("card_wallets")
    .values(currencies.map((currency) => ({ customer_id: customerId, currency, created_at: now })))
    .onConflict((oc) => oc.columns(["customer_id", "currency"]).doNothing())
    .execute();
  return db.selectFrom("card_wallets").select(["id", "currency"]).where("customer_id", "=", customerId).where("currency", "in", currencies).orderBy("id").execute();
}
