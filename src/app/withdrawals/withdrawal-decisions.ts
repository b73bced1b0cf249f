// An operator decides a withdrawal that waits for approval (above RAMPART_WITHDRAWAL_APPROVAL_ABOVE):
// approve → its payout job is queued in the same transaction; reject → the hold goes back to the
// balance. Anything but `requested` is a 409 naming the current status. Each decision queues the webhook.
import { AppError } from "../../core/shared/errors.js";
import { WITHDRAWAL_MACHINE } from "../../core/withdrawals/withdrawal-status.js";
import { lockWithdrawal, lockWithdrawalAddress, updateWithdrawal, type WithdrawalRow } from "../../db/withdrawals/withdrawals.js";
import type { Deps } from "../deps.js";
import { scheduleWithdrawalPayout } from "./request-withdrawal.js";
import { enqueueWithdrawalEvent } from "./withdrawal-events.js";
import { returnWithdrawal } from "./withdrawal-ledger.js";
import { readWithdrawal } from "./list-withdrawals.js";
import { ownerOfWithdrawal, type WithdrawalView } from "./withdrawal-view.js";

type Decision = { kind: "approve" } | { kind: "reject"; reason: string | null };

/** The withdrawal an approval would take, read before the console's step-up: one no longer waiting is 409 and uses up no code. */
export async function approvableWithdrawal(deps: Deps, withdrawalId: string): Promise<WithdrawalView> {
  const w = await readWithdrawal(deps, withdrawalId);
  WITHDRAWAL_MACHINE.next(w.status, "approve");
  return w;
}

export async function decideWithdrawal(deps: Deps, withdrawalId: string, operatorId: string, d: Decision): Promise<WithdrawalRow> {
  return deps.database.db.transaction().execute(async (trx) => {
    const w = await lockWithdrawal(trx, withdrawalId);
    if (!w) throw new AppError("not_found", { message: "No such withdrawal." });
    const now = deps.clock.now();
    const status = WITHDRAWAL_MACHINE.next(w.status, d.kind);
    // Removing an address makes it unusable at once, also for a withdrawal waiting for approval (a
    // stolen key's address removed by the merchant must not be paid); locked against a removal racing this.
    if (d.kind === "approve" && !(await lockWithdrawalAddress(trx, ownerOfWithdrawal(w), w.address_id))) throw new AppError("withdrawal_address_removed");
    const done = await updateWithdrawal(trx, w.id, {
      status,
      decided_by: operatorId,
      ...(d.kind === "reject" ? { failure_reason: d.reason ?? "rejected by an operator" } : {}),
      updated_at: now,
    });
    if (d.kind === "approve") await scheduleWithdrawalPayout(trx, w.id);
    else await returnWithdrawal(deps, trx, done);
    await enqueueWithdrawalEvent(deps, trx, done);
    return done;
  });
}
