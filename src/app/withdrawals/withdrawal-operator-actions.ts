// An operator's actions on a withdrawal whose payout has not ended (POST /admin/v1/withdrawals/:id/repoll
// and …/cancel, and the console's Withdrawals section). Tracking never gives up on its own; these let
// the operator act on a payout that does not confirm:
//  - re-poll now: the payout job of an approved withdrawal, or the next confirmation poll of a sent one,
//    is made due now (one is queued when none waits or runs), instead of after its backoff;
//  - cancel and return: the sent payout is replaced on chain by a 0-value transfer to the hot wallet at
//    the same nonce with a higher fee (the cancel job, after commit). Nothing is returned here: the
//    withdrawal fails, its amount and fee returned, only once that replacement is mined to the
//    confirmation depth, when the payout can never be mined; if the payout is mined instead, it is
//    confirmed as usual. Asking again changes nothing.
// Each is a transition of the withdrawal's table that keeps its status; any other status is 409 naming it.
import { AppError } from "../../core/shared/errors.js";
import { WITHDRAWAL_MACHINE } from "../../core/withdrawals/withdrawal-status.js";
import { hurryJobs } from "../../db/outbox/jobs.js";
import type { Db } from "../../db/schema.js";
import { findWithdrawal, lockWithdrawal, updateWithdrawal, type WithdrawalRow } from "../../db/withdrawals/withdrawals.js";
import type { Deps } from "../deps.js";
import { portsForOwner } from "../merchants/test-mode.js";
import { enqueueJob } from "../outbox/outbox.js";
import { type WithdrawalView, withdrawalView } from "./withdrawal-view.js";

export async function repollWithdrawal(deps: Deps, withdrawalId: string): Promise<WithdrawalRow> {
  return deps.database.db.transaction().execute(async (trx) => {
    const w = await lockWithdrawal(trx, withdrawalId);
    if (!w) throw new AppError("not_found", { message: "No such withdrawal." });
    WITHDRAWAL_MACHINE.next(w.status, w.status === "approved" ? "retry_send" : "repoll");
    const now = deps.clock.now();
    const kind = w.status === "approved" ? "withdrawal.payout" : "withdrawal.payout_poll";
    // Under the withdrawal's lock a poll cannot record meanwhile: the job waiting (or the one running,
    // which queues the next) is the one chain of polls; a second chain is queued only when none is left.
    const { moved, running } = await hurryJobs(trx, { kind, ref: { field: "withdrawalId", value: w.id }, now });
    if (moved === 0 && running === 0) await enqueueJob(trx, kind, { withdrawalId: w.id }, { key: `${kind}:${w.id}:operator:${now.getTime()}`, dueAt: now });
    return updateWithdrawal(trx, w.id, { updated_at: now });
  });
}

/** 409 naming the status, or withdrawal_cancel_unsupported, as cancelWithdrawal would refuse `w`. */
async function refuseCancel(deps: Deps, db: Db, w: WithdrawalRow): Promise<void> {
  WITHDRAWAL_MACHINE.next(w.status, "request_cancel");
  // The cancel job replaces the payout on the chain that sent it (a test trader's or twin's: the sandbox).
  if (!w.cancel_requested_at && !(await portsForOwner(deps, { merchantId: w.merchant_id, traderId: w.trader_id }, db)).chain.cancel) throw new AppError("withdrawal_cancel_unsupported");
}

/** The withdrawal a cancel would take, read before the console's step-up: a cancel refused uses up no code. */
export async function cancellableWithdrawal(deps: Deps, withdrawalId: string): Promise<WithdrawalView> {
  const w = await findWithdrawal(deps.database.db, withdrawalId);
  if (!w) throw new AppError("not_found", { message: "No such withdrawal." });
  await refuseCancel(deps, deps.database.db, w);
  return withdrawalView(w);
}

export async function cancelWithdrawal(deps: Deps, withdrawalId: string, operatorId: string): Promise<WithdrawalRow> {
  return deps.database.db.transaction().execute(async (trx) => {
    const w = await lockWithdrawal(trx, withdrawalId);
    if (!w) throw new AppError("not_found", { message: "No such withdrawal." });
    await refuseCancel(deps, trx, w);
    if (w.cancel_requested_at) return w;
    const now = deps.clock.now();
    await enqueueJob(trx, "withdrawal.payout_cancel", { withdrawalId: w.id }, { key: `withdrawal.payout_cancel:${w.id}`, dueAt: now });
    return updateWithdrawal(trx, w.id, { cancel_requested_at: now, cancel_requested_by: operatorId, updated_at: now });
  });
}
