// A dispute decided "paid, another amount" takes two steps, so that `re_calculation` is a state a
// GET or the list can show, not only a webhook:
//  1. the decision re-prices the pay-in at its own rate and fee rate and moves it to re_calculation
//     (webhook with the new amounts), and enqueues the settlement job in the same transaction;
//  2. the settlement job ("settled" = the ledger booked at the recalculated amount) posts the hold,
//     books the difference and closes the pay-in (webhook `closed`). A recalculated amount above the
//     held one needs more of the trader's deposit: while it is short, the pay-in stays in
//     re_calculation and the job retries, so the merchant is never credited crypto the trader lacks.
import type { Transaction } from "kysely";
import { AppError } from "../../core/shared/errors.js";
import type { DB } from "../../db/schema.js";
import { lockPayin, type TradingPayinRow } from "../../db/trading/payins.js";
import type { Deps } from "../deps.js";
import type { JobPayloads } from "../outbox/outbox.js";
import { computeTradingAmounts } from "./amounts.js";
import { scheduleRecalculatedSettlement } from "./payin-outbox.js";
import { settlePayin } from "./settle.js";
import { transitionPayin } from "./transition.js";

/** How long a settlement short of trader deposit waits before it tries again. */
const SHORT_DEPOSIT_RETRY_MS = 60_000;

/** Step 1, in the deciding transaction; `p` is locked and in `checking`. */
export async function startRecalculation(
  deps: Deps,
  trx: Transaction<DB>,
  p: TradingPayinRow,
  actor: { actor: "support"; actorId: string },
  actualFiatMinor: bigint,
  reason: string | null = null,
): Promise<TradingPayinRow> {
  const next = computeTradingAmounts(actualFiatMinor, p.currency_rate, p.fee_rate, "actualFiatAmount");
  const previous = { fiatMinor: p.fiat_amount_minor, cryptoMinor: p.crypto_amount_minor, feeMinor: p.merchant_fee_minor };
  const recalculated = await transitionPayin(deps, trx, p, {
    action: "resolve_recalculate",
    ...actor,
    set: {
      dispute_trader_fiat_minor: actualFiatMinor.toString(),
      fiat_amount_minor: actualFiatMinor.toString(),
      crypto_amount_minor: next.cryptoMinor.toString(),
      merchant_fee_minor: next.feeMinor.toString(),
    },
    data: { previousFiatAmountMinor: previous.fiatMinor, previousCryptoAmountMinor: previous.cryptoMinor, previousMerchantFeeMinor: previous.feeMinor, reason },
  });
  await scheduleRecalculatedSettlement(trx, { payinId: p.id, previous });
  return recalculated;
}

/** Step 2, the job body. The ledger still holds the amounts before the recalculation (`previous`). */
export async function settleRecalculation(deps: Deps, job: JobPayloads["trading.settle_recalculated"]): Promise<"settled" | "moved_on" | { retryAt: Date }> {
  try {
    return await deps.database.db.transaction().execute(async (trx) => {
      const p = await lockPayin(trx, job.payinId);
      if (!p || p.status !== "re_calculation") return "moved_on" as const;
      const asHeld = { ...p, fiat_amount_minor: job.previous.fiatMinor, crypto_amount_minor: job.previous.cryptoMinor, merchant_fee_minor: job.previous.feeMinor };
      await settlePayin(deps, trx, asHeld, BigInt(p.fiat_amount_minor), (set) => transitionPayin(deps, trx, p, { action: "settle_recalculated", actor: "system", actorId: null, set }));
      return "settled" as const;
    });
  } catch (err) {
    if (err instanceof AppError && err.code === ("insufficient_funds" as string)) return { retryAt: new Date(deps.clock.now().getTime() + SHORT_DEPOSIT_RETRY_MS) };
    throw err;
  }
}
