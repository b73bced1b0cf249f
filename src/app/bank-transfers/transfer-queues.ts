// What the operator works through among incoming bank transfers: those that matched nothing, and those
// whose money goes back to the payer (refunded by Rampart, or a second payment the trader returns).
import type { BankTransferOutcome } from "../../core/bank-transfers/outcome.js";
import { pageSize } from "../../core/shared/page-size.js";
import { type BankTransferRow, listBankTransfersByOutcome } from "../../db/bank-transfers/bank-transfers.js";
import type { Deps } from "../deps.js";

const RETURNED_OUTCOMES: readonly BankTransferOutcome[] = ["refunded", "duplicate_payment"];

export async function unmatchedTransfers(deps: Deps, limit?: number): Promise<BankTransferRow[]> {
  return listBankTransfersByOutcome(deps.database.db, ["unmatched"], pageSize(limit, 50, 100));
}

export async function returnedTransfers(deps: Deps, limit?: number): Promise<BankTransferRow[]> {
  return listBankTransfersByOutcome(deps.database.db, RETURNED_OUTCOMES, pageSize(limit, 50, 100));
}
