// What the operator works through among incoming bank transfers: those that matched nothing, and those
// whose money goes back to the payer (refunded by Rampart, or a second payment the trader returns).
import type { BankTransferOutcome } from "../../core/bank-transfers/outcome.js";
import { AppError } from "../../core/shared/errors.js";
import { pageSize } from "../../core/shared/page-size.js";
import { type BankTransferRow, findBankTransfer, listBankTransfersByOutcome } from "../../db/bank-transfers/bank-transfers.js";
import type { Deps } from "../deps.js";

const RETURNED_OUTCOMES: readonly BankTransferOutcome[] = ["refunded", "duplicate_payment"];

export async function unmatchedTransfers(deps: Deps, limit?: number): Promise<BankTransferRow[]> {
  return listBankTransfersByOutcome(deps.database.db, ["unmatched"], pageSize(limit, 50, 100));
}

export async function returnedTransfers(deps: Deps, limit?: number): Promise<BankTransferRow[]> {
  return listBankTransfersByOutcome(deps.database.db, RETURNED_OUTCOMES, pageSize(limit, 50, 100));
}

/** One transfer, for the operator's confirmation of what an action on it will do. */
export async function bankTransferForOperator(deps: Deps, id: string): Promise<BankTransferRow> {
  const t = await findBankTransfer(deps.database.db, id);
  if (!t) throw new AppError("not_found", { message: "No bank transfer has this id" });
  return t;
}
