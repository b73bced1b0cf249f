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
 * ownOnly is the test feed of a live installation (a test key acting for its twin): only the twin's own
 * pay-ins are even looked at (never a live one locked), and a transfer matching nothing of the twin's is
 * refused the same way instead of being kept, so no simulated money reaches the operator's live
 * unmatched queue and the answer never tells a live payment from none.
 */
export interface MatchScope {
  merchantId: string | null;
  ownOnly?: boolean;
}

export const unmatched = (reason: string | null): TransferMatch => ({ outcome: "unmatched", reason, tradingPayinId: null, intentId: null });

/** The one refusal of an out-of-scope transfer: the same words whatever was (or was not) found. */
export const noMatchInScope = () => new AppError("not_found", { message: "No payment of this merchant matches the transfer" });

export function assertInScope(scope: MatchScope, ownerMerchantId: string): void {
  if (scope.merchantId !== null && scope.merchantId !== ownerMerchantId) throw noMatchInScope();
}

/** The merchant whose pay-ins alone a matcher may lock: the scope's, when it is ownOnly. */
export const ownMerchantOf = (scope: MatchScope): string | null => (scope.ownOnly ? scope.merchantId : null);
