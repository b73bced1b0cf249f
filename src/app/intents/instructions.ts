// Payment instructions and status: what the merchant shows the payer, and the source of truth.
import { refuseWhileHeld } from "../risk/reviews.js";
import { INTENT_STATUS as S, INTENT_STATUS_NAMES, type IntentStatus } from "../../core/intents/intent-status.js";
import { AppError } from "../../core/shared/errors.js";
import { thenMaybe } from "../../core/shared/maybe-async.js";
import type { IntentRow } from "../../db/intents/intents.js";
import type { Deps } from "../deps.js";
import { checkoutUrl } from "./checkout.js";
import { getMerchantIntent } from "./intent-lifecycle.js";
import { keptViews } from "../cache/kept-views.js";
import { type CachedIntentStatus, readIntentStatus } from "./status-cache.js";
import { intentAmounts, statusView } from "./status-view.js";

const statusViews = keptViews<CachedIntentStatus, ReturnType<typeof statusView> & { risk: CachedIntentStatus["risk"] }>();

/** Frozen, and the same object for every read of an unchanged entry (cache/kept-views.ts); the checkout link is signed and absolute. */
export function intentStatus(deps: Deps, merchantId: string, id: string) {
  return thenMaybe(readIntentStatus(deps, merchantId, id), (read) =>
    statusViews(read, [deps.config.publicUrl, deps.config.secretKey], () => ({ ...statusView(read, checkoutUrl(deps, id)), risk: read.risk })),
  );
}

export async function intentInstructions(deps: Deps, merchantId: string, id: string) {
  const i = await getMerchantIntent(deps, merchantId, id);
  // Not payable while a risk review holds it.
  await refuseWhileHeld(deps.database.db, i.id);
  if (i.status !== S.readyToPay) {
    throw new AppError("intent_not_ready", {
      message: `Instructions are available in status 4; this intent is in status ${i.status} (${INTENT_STATUS_NAMES[i.status as IntentStatus]}).`,
      details: { currentStatus: i.status },
    });
  }
  return instructionsOf(i);
}

/** The instructions of an intent at 4 (the merchant's read above and the hosted checkout show the same). */
export function instructionsOf(i: IntentRow) {
  return {
    paymentIntentId: i.id,
    orderNumber: i.order_number,
    ...intentAmounts(i),
    walletAddress: i.wallet_address,
    expiresAt: i.window_ends_at?.toISOString() ?? null,
    bankTransfer: { ...bankSnapshot(i), reference: i.reference },
  };
}

/**
 * The store's bank details as they were when the intent entered 4 (copied by transitionIntent, and by
 * migration 0010 for older intents), so a payer's account never changes under them. Missing only if a
 * row was moved to 4 by hand: better refuse than show an empty account.
 */
function bankSnapshot(i: IntentRow) {
  const { bank_iban: iban, bank_bic: bic, bank_beneficiary: beneficiary, bank_name: bankName } = i;
  if (iban === null || bic === null || beneficiary === null || bankName === null) throw new Error(`intent ${i.id} is at status 4 without bank details`);
  return { iban, bic, beneficiary, bankName };
}
