// The manual chain's payout queue (RAMPART_CHAIN=manual): a paid intent's payout waits in
// awaiting_operator; an operator pays from their own wallet and enters the tx hash, which is recorded
// on the payout and the intent (5 → 6, with its IPN) in one transaction. The intent row is locked first,
// as the chain's path does, so two operators entering a hash at once complete it exactly once: the second
// sees it confirmed (the same hash answers as before; another hash is 409 naming the status).
// The hash is parsed and checked on chain (when a checker is configured) by app/chain/operator-tx.ts,
// before anything is written; withdrawals on the manual chain take the same path, and a hash already
// recorded for another payout or withdrawal is 409 tx_hash_already_used.
import { PAYOUT_MACHINE, type PayoutStatus } from "../../core/intents/payout-status.js";
import { AssetRegistry } from "../../core/money/assets.js";
import { formatMinor } from "../../core/money/decimal.js";
import { pageOf, pageSize } from "../../core/shared/page-size.js";
import { AppError } from "../../core/shared/errors.js";
import { lockIntent, lockPayout, updatePayout } from "../../db/intents/intents.js";
import { findPayout, listPayoutsByStatus } from "../../db/intents/payout-queue.js";
import { checkOperatorTx, claimOperatorTx, operatorTxHash, refuseUsedOperatorTx } from "../chain/operator-tx.js";
import type { Deps } from "../deps.js";
import { completePayout } from "./payout.js";

export const MAX_PAYOUT_PAGE = 100;
const assets = new AssetRegistry();

type QueuedPayoutRow = Awaited<ReturnType<typeof listPayoutsByStatus>>[number];

/** What the operator needs to pay it: where, what, how much (a decimal string in the asset's units). */
function payoutView(p: QueuedPayoutRow) {
  return {
    id: p.payout_key,
    intentId: p.intent_id,
    merchantId: p.merchant_id,
    storeId: p.store_id,
    orderNumber: p.order_number,
    network: p.network,
    asset: p.asset,
    address: p.address,
    amount: formatMinor(BigInt(p.amount_minor), assets.get(p.asset, p.network).decimals),
    status: p.status,
    txHash: p.tx_hash,
    createdAt: p.created_at.toISOString(),
    updatedAt: p.updated_at.toISOString(),
  };
}

/** Payouts in a status (default: those waiting for the operator), oldest first. */
export async function payoutQueue(deps: Deps, opts: { status?: PayoutStatus; limit?: number; after?: string } = {}) {
  const limit = pageSize(opts.limit, 50, MAX_PAYOUT_PAGE);
  const rows = await listPayoutsByStatus(deps.database.db, opts.status ?? "awaiting_operator", limit + 1, opts.after);
  const page = pageOf(rows, limit, (p) => p.payout_key);
  return { items: page.items.map(payoutView), nextCursor: page.nextCursor };
}

/** What a payout sends, in major units (the console's step-up reads it first); 404 when unknown. */
export async function payoutAmount(deps: Deps, payoutId: string): Promise<{ amount: string; asset: string }> {
  const found = await findPayout(deps.database.db, payoutId);
  if (!found) throw new AppError("not_found", { message: "No such payout" });
  return { amount: formatMinor(BigInt(found.amount_minor), assets.get(found.asset, found.network).decimals), asset: found.asset };
}

interface RecordedPayout {
  payoutId: string;
  intentId: string;
  status: PayoutStatus;
  txHash: string;
  intentStatus: number;
  /** True when this hash had been recorded before: nothing changed now. */
  replayed: boolean;
}

/** `confirm` (the console's step-up) runs after every check, before the write: a refused hash uses up no code. */
export async function recordOperatorPayout(deps: Deps, payoutId: string, txHashInput: string, operatorKeyId: string, confirm?: () => Promise<void>): Promise<RecordedPayout> {
  const found = await findPayout(deps.database.db, payoutId);
  if (!found) throw new AppError("not_found", { message: "No such payout" });
  const intentId = found.intent_id;
  const owed = { id: found.payout_key, network: found.network, asset: found.asset, address: found.address, amountMinor: BigInt(found.amount_minor) };
  const txHash = operatorTxHash(owed, txHashInput);
  // A hash already recorded answers as before; one that cannot be recorded in this status is not looked up.
  const alreadyRecorded = found.status === "confirmed" && found.tx_hash === txHash;
  if (!alreadyRecorded) {
    PAYOUT_MACHINE.next(found.status, "operator_paid");
    await refuseUsedOperatorTx(deps.database.db, owed, txHash, `payout:${found.payout_key}`);
    await checkOperatorTx(deps, owed, txHash);
    await confirm?.();
  }
  return deps.database.db.transaction().execute(async (trx) => {
    const intent = (await lockIntent(trx, intentId))!;
    const payout = (await lockPayout(trx, intentId))!;
    if (payout.status === "confirmed" && payout.tx_hash === txHash) {
      return { payoutId, intentId, status: payout.status, txHash, intentStatus: intent.status, replayed: true };
    }
    const to = PAYOUT_MACHINE.next(payout.status, "operator_paid");
    await claimOperatorTx(trx, owed, txHash, `payout:${payout.payout_key}`, deps.clock.now());
    await updatePayout(trx, payout.payout_key, { status: to, tx_hash: txHash, updated_at: deps.clock.now() });
    // An intent that is no longer at 5 refuses 5 → 6 itself (409 naming its status), and nothing is written.
    await completePayout(deps, trx, intent, { actor: "operator", txHash, data: { operatorKeyId } });
    return { payoutId, intentId, status: to, txHash, intentStatus: 6, replayed: false };
  });
}
