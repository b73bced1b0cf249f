// What releasing or rejecting a held payment does in each flow. Trading: released, the pay-in can be
// confirmed and its hold settle; rejected, it is cancelled by support and the trader's hold voided.
// Intents: released, a payout waiting on the review is scheduled again; rejected, the intent is
// cancelled (409 naming its status when it can no longer be). Cards: released, the offer can be paid;
// rejected, it can never be.
import { INTENT_STATUS as S } from "../../core/intents/intent-status.js";
import { AppError } from "../../core/shared/errors.js";
import { lockIntent } from "../../db/intents/intents.js";
import { enqueueJob } from "../outbox/outbox.js";
import { intentChanging } from "../intents/status-cache.js";
import { transitionIntent } from "../intents/transition.js";
import { cancelPayinAsSupport } from "../trading/payin-lifecycle.js";
import { tradingPayinChanging } from "../trading/payin-read-cache.js";
import type { ReviewEffects } from "./reviews.js";

const nothing = async () => {};

export const REVIEW_EFFECTS: Record<"trading" | "intent" | "card", ReviewEffects> = {
  trading: {
    // The pay-in's GET shows the review's status: as for intents, this process reads it back at once.
    released: async (deps, _trx, paymentId) => tradingPayinChanging(deps, paymentId),
    rejected: async (deps, trx, paymentId, operatorId) => {
      await cancelPayinAsSupport(deps, trx, paymentId, operatorId);
    },
  },
  intent: {
    async released(deps, trx, paymentId) {
      // The status read shows the review's status: this process reads it back at once (the decision's
      // trigger tells the other processes).
      intentChanging(deps, paymentId);
      const intent = await lockIntent(trx, paymentId);
      if (intent?.status === S.paid) await enqueueJob(trx, "intent.payout", { intentId: paymentId }, { key: `intent.payout:${paymentId}:risk-released` });
    },
    async rejected(deps, trx, paymentId) {
      const intent = await lockIntent(trx, paymentId);
      if (!intent) throw new AppError("not_found");
      await transitionIntent(deps, trx, intent, { action: "cancel", actor: "system", data: { reason: "risk_review_rejected" } });
    },
  },
  // The review's own status is what card payment checks (refuseWhileHeld): nothing else to move. A
  // review is only ever on an offer not yet paid (a review at pay refuses), so no pay-callback is cached.
  card: { released: nothing, rejected: nothing },
};
