// SQL for the customer's payment history (GET /v2/history/operations): their card payments, newest
// first, one page at a time, with the wallet each one credited.
import type { CardPaymentStatus } from "../../core/card/payment-status.js";
import type { Db } from "../schema.js";

export interface HistoryRow {
  id: string;
  offer_id: string;
  status: CardPaymentStatus;
  fiat: string;
  fiat_minor: string;
  fee_minor: string;
  crypto: string;
  crypto_decimals: number;
  crypto_minor: string;
  masked_pan: string;
  created_at: Date;
  wallet_id: string | null;
}

export async function listCustomerPayments(db: Db, customerId: string, page: { offset: number; size: number; currencies: string[] | null }): Promise<HistoryRow[]> {
  let q = db
    .selectFrom("card_payments as p")
    .leftJoin("card_wallets as w", (j) => j.onRef("w.customer_id", "=", "p.customer_id").onRef("w.currency", "=", "p.crypto"))
    .select(["p.id", "p.offer_id", "p.status", "p.fiat", "p.fiat_minor", "p.fee_minor", "p.crypto", "p.crypto_decimals", "p.crypto_minor", "p.masked_pan", "p.created_at", "w.id as wallet_id"])
    .where("p.customer_id", "=", customerId);
  const currencies = page.currencies;
  if (currencies) q = q.where((eb) => eb.or([eb("p.fiat", "in", currencies), eb("p.crypto", "in", currencies)]));
  return q.orderBy("p.created_at", "desc").orderBy("p.id", "desc").offset(page.offset).limit(page.size).execute();
}
