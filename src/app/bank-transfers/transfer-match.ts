// What the flows' matchers share: the recorded transfer they are handed, the decision they return and
// the scope rule of the sandbox feed. receive-bank-transfer.ts calls the matchers.
import type { BankTransferOutcome } from "../../core/bank-transfers/outcome.js";
import { AppError } from "../../core/shared/errors.js";
import type { IncomingBankTransfer } from "../ports.js";

/** A transfer as recorded, handed to a flow's matcher inside the receiving transaction. */
export interface RecordedTransfer extends IncomingBankTransfer {
  id: string;
}

/** What a matcher decided; the transfer row is updated with it. */
export interface TransferMatch {
  outcome: BankTransferOutcome;
  reason: string | null;
  tradingPayinId: string | null;
  intentId: string | null;
}

/**
 * Limits a match to one merchant's payments (the sandbox feed acting for a merchant key): a transfer
 * that would pay another merchant's pay-in or intent is refused as not found and nothing is recorded.
 */
export interface MatchScope {
  merchantId: string | null;
}

export const unmatched = (reason: string | null): TransferMatch => ({ outcome: "unmatched", reason, tradingPayinId: null, intentId: null });

export function assertInScope(scope: MatchScope, ownerMerchantId: string): void {
  if (scope.merchantId !== null && scope.merchantId !== ownerMerchantId) {
    throw new AppError("not_found", { message: "No payment of this merchant matches the transfer" });
  }
}
