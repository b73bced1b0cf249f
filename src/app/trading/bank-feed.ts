// Incoming bank transfers (the BankFeed port; the sandbox feed is POST /sandbox/bank-transfers).
// A transfer is recorded once per feed id and matched by (requisite, exact amount) against the one
// active pay-in holding that slot. A transfer that matches nothing stays unmatched for the operator.
import type { IncomingBankTransfer } from "../ports.js";
import { AppError } from "../../core/shared/errors.js";
import { findRequisite } from "../../db/trading/requisites.js";
import {
  findBankTransferByExternalId,
  insertBankTransfer,
  lockActiveBySlot,
  matchBankTransfer,
} from "../../db/trading/payins.js";
import type { Deps } from "../deps.js";
import { payLocked } from "./payin-lifecycle.js";

export interface BankTransferOutcome {
  transferId: string;
  matched: boolean;
  payinId: string | null;
  /** False when this feed id was already recorded (a redelivery). */
  recorded: boolean;
}

export async function receiveBankTransfer(deps: Deps, t: IncomingBankTransfer & { requisiteId: string }): Promise<BankTransferOutcome> {
  const requisite = await findRequisite(deps.database.db, t.requisiteId);
  if (!requisite) throw new AppError("not_found", { message: "Requisite not found", field: "requisiteId" });
  const currency = t.currency || requisite.fiat_currency;
  if (currency !== requisite.fiat_currency) throw new AppError("validation_failed", { field: "currency", message: "Currency differs from the requisite's" });

  return deps.database.db.transaction().execute(async (trx) => {
    const id = deps.ids.prefixed("btr");
    const fresh = await insertBankTransfer(trx, {
      id,
      externalId: t.externalId,
      requisiteId: t.requisiteId,
      amountMinor: t.amountMinor,
      currency,
      payerName: t.payerName ?? null,
      receivedAt: t.receivedAt,
    });
    if (!fresh) {
      const seen = (await findBankTransferByExternalId(trx, t.externalId))!;
      return { transferId: seen.id, matched: seen.payin_id !== null, payinId: seen.payin_id, recorded: false };
    }
    // Waits for a concurrent trader confirm on the same row; if that closed it, no row matches now.
    const p = await lockActiveBySlot(trx, t.requisiteId, t.amountMinor);
    if (!p) {
      deps.logger.warn({ transferId: id, requisiteId: t.requisiteId }, "bank transfer matches no active pay-in: kept unmatched");
      return { transferId: id, matched: false, payinId: null, recorded: true };
    }
    await payLocked(deps, trx, p, "bank_feed", id, { bankTransferId: id });
    await matchBankTransfer(trx, id, p.id);
    return { transferId: id, matched: true, payinId: p.id, recorded: true };
  });
}
