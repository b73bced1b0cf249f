// Status sync: asks the acquirer what became of a payment whose answer is unknown (a provider error,
// or a process that died between the pay commit and the acquirer's answer).
import { findPayment } from "../../db/card/offers.js";
import type { Deps } from "../deps.js";
import { eventFor, recordOutcome } from "./card-payments.js";
import { portsFor } from "../merchants/test-mode.js";

const SYNC_RETRY_MS = 30_000;
/** An 'authorizing' payment younger than this may still be waiting for its own acquirer call. */
const IN_FLIGHT_GRACE_MS = 60_000;
const LOST_ANSWER = { code: 504, message: "No response from provider" } as const;

export async function syncPaymentStatus(deps: Deps, paymentId: string): Promise<{ done: true } | { retryAt: Date; reason: string }> {
  const p = await findPayment(deps.database.db, paymentId);
  if (!p || (p.status !== "authorizing" && p.status !== "provider_error")) return { done: true };
  const now = deps.clock.now();
  if (p.status === "authorizing" && now.getTime() - p.created_at.getTime() < IN_FLIGHT_GRACE_MS) {
    return { retryAt: new Date(p.created_at.getTime() + IN_FLIGHT_GRACE_MS), reason: "acquirer call may be in flight" };
  }
  const outcome = await (await portsFor(deps, p.merchant_id)).cardAcquirer.status({ paymentId: p.id, providerRef: p.provider_ref });
  if (outcome === null) {
    // Never seen by the acquirer: nothing was charged, so the payment fails. (With a reference on
    // record the acquirer did see it; keep asking.)
    if (p.provider_ref === null) {
      await recordOutcome(deps, p.id, "sync_lost", LOST_ANSWER);
      return { done: true };
    }
    return { retryAt: new Date(now.getTime() + SYNC_RETRY_MS), reason: "acquirer does not know the payment yet" };
  }
  if (outcome.kind === "provider_error") return { retryAt: new Date(now.getTime() + SYNC_RETRY_MS), reason: `provider error ${outcome.code}` };
  await recordOutcome(deps, p.id, eventFor(outcome, "sync"), outcome);
  return { done: true };
}
