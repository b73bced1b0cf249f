// An approved withdrawal paid through the chain port, exactly once by its payout key (recorded with the
// withdrawal, before anything is sent), the same path intent payouts take (app/chain/send-once.ts):
//  1. (after commit of the approval) ask the chain for the key; only if it never saw it, send;
//  2. (transaction) record what the chain said: pending → sent (then polled), confirmed → the hold is
//     paid out (amount to the chain, fee to revenue, the gas booked when reported), failed → the hold
//     is returned to the balance (the gas of a transaction mined and reverted, or of an operator's
//     mined cancel, booked all the same). Each status change queues the merchant's webhook.
// A process killed in between leaves the job to be retried; the retry finds the send by its key.
// Polling never gives up (less often as it goes, core/chain/payout-polling.ts): the funds stay held
// until the chain decides; an operator may re-poll now or cancel (withdrawal-operator-actions.ts).
import { payoutPollDelayMs } from "../../core/chain/payout-polling.js";
import { assertNever } from "../../core/shared/assert-never.js";
import { WITHDRAWAL_MACHINE } from "../../core/withdrawals/withdrawal-status.js";
import { findWithdrawal, lockWithdrawal, updateWithdrawal, type WithdrawalRow } from "../../db/withdrawals/withdrawals.js";
import { sendPayoutOnce } from "../chain/send-once.js";
import type { Deps } from "../deps.js";
import { enqueueJob } from "../outbox/outbox.js";
import type { ChainPayoutStatus } from "../ports.js";
import { enqueueWithdrawalEvent } from "./withdrawal-events.js";
import { bookNetworkFee, returnWithdrawal, settleWithdrawal } from "./withdrawal-ledger.js";
import { portsForOwner } from "../merchants/test-mode.js";

/** The chain the withdrawal is paid on: a test trader's or twin's play money on the sandbox one. */
const chainOf = async (deps: Deps, w: WithdrawalRow) => (await portsForOwner(deps, { merchantId: w.merchant_id, traderId: w.trader_id })).chain;

/** The payout job: sends an approved withdrawal (once); a withdrawal already sent is the poll job's. */
export async function runWithdrawalPayout(deps: Deps, withdrawalId: string): Promise<void> {
  const w = await findWithdrawal(deps.database.db, withdrawalId);
  if (!w || w.status !== "approved") return;
  const st = await sendPayoutOnce((await chainOf(deps, w)), { payoutKey: w.payout_key, network: w.network, asset: w.asset, address: w.address, amountMinor: BigInt(w.amount_minor) });
  await recordChainStatus(deps, withdrawalId, st);
}

/** The poll job: asks the chain by key, never sends. */
export async function pollWithdrawalPayout(deps: Deps, withdrawalId: string): Promise<void> {
  const w = await findWithdrawal(deps.database.db, withdrawalId);
  if (!w || w.status !== "sent") return;
  await recordChainStatus(deps, withdrawalId, await (await chainOf(deps, w)).status(w.payout_key));
}

/** The cancel job: the chain replaces the payout by its cancel (once); polls then record the outcome. */
export async function cancelWithdrawalPayout(deps: Deps, withdrawalId: string): Promise<void> {
  const w = await findWithdrawal(deps.database.db, withdrawalId);
  if (!w || w.status !== "sent" || !w.cancel_requested_at) return;
  await (await chainOf(deps, w)).cancel?.(w.payout_key);
}

/** Records the chain's answer under the withdrawal's lock; a withdrawal already settled is left alone. */
async function recordChainStatus(deps: Deps, withdrawalId: string, st: ChainPayoutStatus): Promise<void> {
  await deps.database.db.transaction().execute(async (trx) => {
    const w = await lockWithdrawal(trx, withdrawalId);
    if (!w || (w.status !== "approved" && w.status !== "sent")) return;
    const now = deps.clock.now();
    const poll = (polls: number, key: string) =>
      enqueueJob(trx, "withdrawal.payout_poll", { withdrawalId }, { key, dueAt: new Date(now.getTime() + payoutPollDelayMs(polls)) });
    switch (st.kind) {
      case "confirmed": {
        const done = await updateWithdrawal(trx, w.id, {
          status: WITHDRAWAL_MACHINE.next(w.status, "chain_confirmed"),
          tx_hash: st.txHash,
          network_fee_minor: st.networkFee?.amountMinor ?? null,
          updated_at: now,
        });
        await settleWithdrawal(deps, trx, done);
        if (st.networkFee) await bookNetworkFee(deps, trx, done, st.networkFee);
        await enqueueWithdrawalEvent(deps, trx, done);
        return;
      }
      case "failed": {
        const done = await updateWithdrawal(trx, w.id, {
          status: WITHDRAWAL_MACHINE.next(w.status, "chain_failed"),
          tx_hash: st.txHash ?? w.tx_hash,
          network_fee_minor: st.networkFee?.amountMinor ?? null,
          failure_reason: st.code ? `${st.code}: ${st.reason}` : st.reason,
          updated_at: now,
        });
        // Amount and fee go back; the gas a mined transaction cost is the platform's.
        await returnWithdrawal(deps, trx, done);
        if (st.networkFee) await bookNetworkFee(deps, trx, done, st.networkFee);
        await enqueueWithdrawalEvent(deps, trx, done);
        return;
      }
      case "pending": {
        const polls = w.polls + 1;
        const sent = await updateWithdrawal(trx, w.id, { status: WITHDRAWAL_MACHINE.next(w.status, "chain_pending"), tx_hash: st.txHash, polls, updated_at: now });
        if (w.status === "approved") await enqueueWithdrawalEvent(deps, trx, sent);
        await poll(polls, `withdrawal.payout_poll:${w.id}:${polls}`);
        return;
      }
      case "unknown": {
        // The chain lost track of a payout recorded as sent: keep asking; never send again.
        if (w.status !== "sent") return;
        const polls = w.polls + 1;
        await updateWithdrawal(trx, w.id, { polls, updated_at: now });
        await poll(polls, `withdrawal.payout_poll:${w.id}:u${polls}`);
        return;
      }
      case "awaiting_operator":
        // A manual chain pays nothing by itself: the withdrawal waits, approved, for an operator to pay it
        // and record the hash (withdrawal-operator-tx.ts).
        deps.logger.info({ withdrawalId }, "withdrawal waits for an operator to pay it on the manual chain");
        return;
      default:
        return assertNever(st, "chain payout status");
    }
  });
}
