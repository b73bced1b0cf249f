// Crypto delivery to the user's wallet through the ChainPayout port, exactly once:
//  1. (transaction) hold the crypto in "payout in flight" and record the payout key — before any send;
//  2. (after commit) ask the chain for the key; only if it has never seen it, send;
//  3. (transaction) record what the chain said; poll until confirmed (→ 6 with the tx hash) or
//     failed for good (→ 10000, hold reversed; the gas of a reverted transaction booked all the same).
//     Polling never gives up: less often as it goes (core/chain/payout-polling.ts), the crypto held. A manual chain answers awaiting_operator: the payout
//     waits for an operator to pay it and enter the tx hash (operator-payouts.ts).
// A process killed anywhere in between leaves the job's lease to expire; the retry starts at 2 and
// finds the earlier send by its key, so nothing is sent twice.
import { payoutPollDelayMs } from "../../core/chain/payout-polling.js";
import { INTENT_STATUS as S } from "../../core/intents/intent-status.js";
import { PAYOUT_MACHINE } from "../../core/intents/payout-status.js";
import { type IntentRow, findIntent, insertPayout, lockIntent, lockPayout, updatePayout } from "../../db/intents/intents.js";
import type { Transaction } from "kysely";
import type { DB } from "../../db/schema.js";
import { findDecisionByPaymentId } from "../../db/risk/decisions.js";
import { sendPayoutOnce } from "../chain/send-once.js";
import type { Deps } from "../deps.js";
import { enqueueJob } from "../outbox/outbox.js";
import type { ChainPayoutStatus } from "../ports.js";
import { bookPayoutGas, holdPayout, reversePayout, settlePayout } from "./effects.js";
import { transitionIntent } from "./transition.js";
import { portsFor } from "../merchants/test-mode.js";

const INTENT_PAYOUT_POLL_JOB = "intent.payout_poll";

export const payoutKeyFor = (intentId: string) => `payout_${intentId}`;

/** Step 1: the hold and the payout key, once. Returns the intent when there is a payout to run. */
async function preparePayout(deps: Deps, intentId: string): Promise<IntentRow | null> {
  return deps.database.db.transaction().execute(async (trx) => {
    const intent = await lockIntent(trx, intentId);
    if (!intent || intent.status !== S.paid) return null;
    // Held for a risk review: nothing leaves; releasing the review schedules the payout again.
    if ((await findDecisionByPaymentId(trx, intentId))?.review_status === "pending") return null;
    const existing = await lockPayout(trx, intentId);
    if (!existing) {
      await holdPayout(deps, trx, intent);
      const now = deps.clock.now();
      await insertPayout(trx, {
        payout_key: payoutKeyFor(intentId),
        intent_id: intentId,
        network: intent.network,
        asset: intent.crypto_symbol,
        address: intent.wallet_address,
        amount_minor: intent.crypto_minor,
        status: "created",
        tx_hash: null,
        created_at: now,
        updated_at: now,
      });
    } else if (existing.status !== "created") {
      return null; // already sent: the poll job owns it now
    }
    return intent;
  });
}

/** The payout reached the wallet: the hold settles and the intent moves 5 → 6 with the tx hash (IPN included). */
export async function completePayout(
  deps: Deps,
  trx: Transaction<DB>,
  intent: IntentRow,
  done: { actor: "chain" | "operator"; txHash: string; data: Record<string, unknown> },
): Promise<void> {
  await settlePayout(deps, trx, intent);
  await transitionIntent(deps, trx, intent, { action: "payout_confirmed", actor: done.actor, set: { tx_hash: done.txHash }, data: done.data });
}

/** Step 3: record the chain's answer under lock; idempotent for a settled payout. */
async function recordChainStatus(deps: Deps, intentId: string, st: ChainPayoutStatus): Promise<void> {
  await deps.database.db.transaction().execute(async (trx) => {
    const intent = await lockIntent(trx, intentId);
    const payout = await lockPayout(trx, intentId);
    if (!intent || !payout || intent.status !== S.paid) return;
    const now = deps.clock.now();
    switch (st.kind) {
      case "confirmed":
        await updatePayout(trx, payout.payout_key, { status: PAYOUT_MACHINE.next(payout.status, "chain_confirmed"), tx_hash: st.txHash, updated_at: now });
        await completePayout(deps, trx, intent, { actor: "chain", txHash: st.txHash, data: { confirmations: st.confirmations } });
        if (st.networkFee) await bookPayoutGas(deps, trx, intent, st.networkFee);
        return;
      case "failed":
        await updatePayout(trx, payout.payout_key, { status: PAYOUT_MACHINE.next(payout.status, "chain_failed"), updated_at: now });
        await reversePayout(deps, trx, intent);
        if (st.networkFee) await bookPayoutGas(deps, trx, intent, st.networkFee);
        await transitionIntent(deps, trx, intent, { action: "payout_failed", actor: "chain", data: { reason: st.reason, ...(st.code ? { code: st.code } : {}) } });
        return;
      case "awaiting_operator":
        if (payout.status !== "awaiting_operator") {
          await updatePayout(trx, payout.payout_key, { status: PAYOUT_MACHINE.next(payout.status, "queue_for_operator"), updated_at: now });
        }
        return;
      case "pending": {
        const polls = payout.polls + 1;
        await updatePayout(trx, payout.payout_key, { status: PAYOUT_MACHINE.next(payout.status, "chain_pending"), tx_hash: st.txHash, polls, updated_at: now });
        await enqueueJob(
          trx,
          INTENT_PAYOUT_POLL_JOB,
          { intentId },
          { key: `${INTENT_PAYOUT_POLL_JOB}:${intentId}:${polls}`, dueAt: new Date(now.getTime() + payoutPollDelayMs(polls)) },
        );
        return;
      }
      case "unknown":
        // The chain lost track of a payout we recorded as sent: keep polling; never send again.
        await enqueueJob(
          trx,
          INTENT_PAYOUT_POLL_JOB,
          { intentId },
          { key: `${INTENT_PAYOUT_POLL_JOB}:${intentId}:u${payout.polls + 1}`, dueAt: new Date(now.getTime() + payoutPollDelayMs(payout.polls + 1)) },
        );
        await updatePayout(trx, payout.payout_key, { polls: payout.polls + 1, updated_at: now });
        return;
    }
  });
}

/** The payout job: steps 1–3. */
export async function runPayout(deps: Deps, intentId: string): Promise<void> {
  const intent = await preparePayout(deps, intentId);
  if (!intent) return;
  const st = await sendPayoutOnce((await portsFor(deps, intent.merchant_id)).chain, {
    payoutKey: payoutKeyFor(intentId),
    network: intent.network,
    asset: intent.crypto_symbol,
    address: intent.wallet_address,
    amountMinor: BigInt(intent.crypto_minor),
  });
  await recordChainStatus(deps, intentId, st);
}

/** The poll job: asks the chain by key, never sends. */
export async function pollPayout(deps: Deps, intentId: string): Promise<void> {
  const intent = await findIntent(deps.database.db, intentId);
  if (!intent) return;
  await recordChainStatus(deps, intentId, await (await portsFor(deps, intent.merchant_id)).chain.status(payoutKeyFor(intentId)));
}
