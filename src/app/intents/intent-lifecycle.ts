// Intent status changes after creation: KYC outcomes, cancel, timeouts. Each locks the intent, lets
// the core table decide, and writes through transitionIntent.
import type { Transaction } from "kysely";
import { INTENT_MACHINE } from "../../core/intents/intent-status.js";
import { AppError } from "../../core/shared/errors.js";
import { type IntentRow, findMerchantIntent, lockIntent, lockIntentsWaitingOnUser } from "../../db/intents/intents.js";
import type { KycCaseRow } from "../../db/kyc/kyc.js";
import type { DB } from "../../db/schema.js";
import type { Deps } from "../deps.js";
import type { CommitAnswer } from "../idempotency/idempotency-keys.js";
import { loadIntentStatus } from "./status-cache.js";
import type { IntentStatusRead } from "./status-view.js";
import { transitionIntent } from "./transition.js";

/** A KYC decision (transitionCase) moves every intent of that user waiting on it: 2 → 3, 2|3 → 4, 2|3 → 10001. */
export async function applyKycToIntents(deps: Deps, trx: Transaction<DB>, c: KycCaseRow): Promise<void> {
  const action =
    c.status === "approved" ? "kyc_approved" : c.status === "rejected" ? "kyc_rejected" : c.status === "review" ? "kyc_submitted_for_review" : null;
  if (!action) return;
  for (const intent of await lockIntentsWaitingOnUser(trx, c.user_id)) {
    if (!INTENT_MACHINE.can(intent.status, action)) continue;
    await transitionIntent(deps, trx, intent, {
      action,
      actor: c.status === "review" ? "kyc_vendor" : "system",
      set: { kyc_case_id: c.id },
      data: { kycCaseId: c.id, ...(c.reason ? { reason: c.reason } : {}) },
    });
  }
}

export async function getMerchantIntent(deps: Deps, merchantId: string, id: string): Promise<IntentRow> {
  const intent = await findMerchantIntent(deps.database.db, merchantId, id);
  if (!intent) throw new AppError("not_found", { message: "No such payment intent" });
  return intent;
}

/** Answers the status read of the cancelled intent, as committed. */
export async function cancelIntent(deps: Deps, merchantId: string, id: string, commit?: CommitAnswer<IntentStatusRead>): Promise<IntentStatusRead> {
  return deps.database.db.transaction().execute(async (trx) => {
    const found = await findMerchantIntent(trx, merchantId, id);
    if (!found) throw new AppError("not_found", { message: "No such payment intent" });
    const locked = (await lockIntent(trx, id))!;
    await transitionIntent(deps, trx, locked, { action: "cancel", actor: "merchant" });
    const cancelled = (await loadIntentStatus(trx, id))!;
    await commit?.(trx, cancelled);
    return cancelled;
  });
}

/** Due-time job: the KYC window (2, 3) or the payment window (4) is over. A stale job is a no-op. */
export async function timeOutIntent(deps: Deps, id: string): Promise<void> {
  await deps.database.db.transaction().execute(async (trx) => {
    const locked = await lockIntent(trx, id);
    if (!locked || !INTENT_MACHINE.can(locked.status, "time_out")) return;
    if (locked.window_ends_at && locked.window_ends_at.getTime() > deps.clock.now().getTime()) return;
    await transitionIntent(deps, trx, locked, { action: "time_out", actor: "system" });
  });
}
