// GET /v2/history/operations: the customer's card pay-ins as vault.ist history operations, newest
// first, paged by offset and size. Card pay-ins are the only operation a Rampart customer has.
import { listCustomerPayments, type HistoryRow } from "../../db/card/payment-history.js";
import type { Deps } from "../deps.js";
import type { CustomerPrincipal } from "./customer-auth.js";

/** vault.ist's operation type of a card pay-in. */
export const PAYIN_CARD = "PAYIN_CARD";

export interface HistoryQuery {
  offset: number;
  size: number;
  /** Operation types asked for; null for all. */
  types: string[] | null;
  /** Currencies (fiat or crypto) asked for; null for all. */
  currencies: string[] | null;
}

export async function paymentHistory(deps: Deps, who: CustomerPrincipal, q: HistoryQuery): Promise<HistoryRow[]> {
  if (q.types && !q.types.includes(PAYIN_CARD)) return [];
  return listCustomerPayments(deps.database.db, who.customerId, { offset: q.offset, size: q.size, currencies: q.currencies });
}
