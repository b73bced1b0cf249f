// The one inbound path for money arriving at a bank. Every feed (the sandbox feed, statement imports,
// a bank API) hands its transfers to receiveBankTransfer, which in one transaction records the
// transfer once per bank transaction id and lets the flow it belongs to match it: a transfer to a
// trader's requisite goes to the trading pay-ins, one carrying a reference to the payment intents.
// What matches nothing stays unmatched for the operator, who may later assign it
// (assignRecordedTransferIn): the same matchers run on it then, with the target the operator named.
import type { Transaction } from "kysely";
import { findBankTransferByExternalId, insertBankTransfer, recordBankTransferOutcome } from "../../db/bank-transfers/bank-transfers.js";
import type { DB } from "../../db/schema.js";
import type { Deps } from "../deps.js";
import { matchIntentTransfer } from "../intents/match-bank-transfer.js";
import type { IncomingBankTransfer } from "../ports.js";
import { matchTradingTransfer } from "../trading/match-bank-transfer.js";
import { assertInScope, type MatchScope, noMatchInScope, type RecordedTransfer, type TransferMatch, unmatched } from "./transfer-match.js";

export interface ReceivedBankTransfer extends TransferMatch {
  transferId: string;
  /** True when this bank transaction id was recorded before: nothing changed now. */
  duplicate: boolean;
}

async function match(deps: Deps, trx: Transaction<DB>, t: RecordedTransfer, scope: MatchScope): Promise<TransferMatch> {
  if (t.requisiteId !== null) return matchTradingTransfer(deps, trx, { ...t, requisiteId: t.requisiteId }, scope);
  if (t.reference !== null) return matchIntentTransfer(deps, trx, { ...t, reference: t.reference }, scope);
  return unmatched("neither a trader's requisite nor a payment reference");
}

export async function receiveBankTransfer(
  deps: Deps,
  t: IncomingBankTransfer,
  scope: MatchScope = { merchantId: null },
): Promise<ReceivedBankTransfer> {
  return deps.database.db.transaction().execute((trx) => receiveBankTransferIn(deps, trx, t, scope));
}

/**
 * The same inside the caller's transaction: a statement import receives all its entries in one, so a
 * file that fails half way records none of them.
 */
export async function receiveBankTransferIn(deps: Deps, trx: Transaction<DB>, t: IncomingBankTransfer, scope: MatchScope = { merchantId: null }): Promise<ReceivedBankTransfer> {
  const id = deps.ids.prefixed("btr");
  if (!(await insertBankTransfer(trx, { ...t, id }))) {
    const seen = (await findBankTransferByExternalId(trx, t.externalId))!;
    // A redelivery reveals what the first delivery matched: the same scope rule applies.
    if (seen.owner_merchant_id !== null) assertInScope(scope, seen.owner_merchant_id);
    return {
      transferId: seen.id,
      duplicate: true,
      outcome: seen.outcome,
      reason: seen.reason,
      tradingPayinId: seen.trading_payin_id,
      intentId: seen.intent_id,
    };
  }
  const m = await match(deps, trx, { ...t, id }, scope);
  // Thrown inside the transaction, so the transfer row inserted above is rolled back with it.
  if (scope.ownOnly && m.outcome === "unmatched") throw noMatchInScope();
  if (m.outcome !== "unmatched" || m.reason !== null) await recordBankTransferOutcome(trx, id, m);
  return { transferId: id, duplicate: false, ...m };
}


/** Where the operator says an unmatched transfer belongs: the reference of an intent, or a pay-in's requisite. */
export type AssignTarget = { reference: string } | { requisiteId: string };

/**
 * Matches a recorded, unmatched transfer (locked by the caller) as if it had arrived carrying the
 * target: the same matchers, ledger entries, status changes and IPNs/webhooks as an automatic match.
 * The caller decides what to do when the match is not the one it asked for (rolls back).
 */
export async function assignRecordedTransferIn(deps: Deps, trx: Transaction<DB>, t: RecordedTransfer, target: AssignTarget): Promise<TransferMatch> {
  const retargeted: RecordedTransfer = "reference" in target ? { ...t, requisiteId: null, reference: target.reference } : { ...t, requisiteId: target.requisiteId };
  const m = await match(deps, trx, retargeted, { merchantId: null });
  if (m.outcome !== "unmatched") await recordBankTransferOutcome(trx, t.id, m);
  return m;
}
