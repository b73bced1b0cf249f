// A withdrawal on the manual chain (RAMPART_CHAIN=manual): the chain pays nothing (awaiting_operator),
// so the withdrawal waits in `approved` until an operator pays it from their own wallet and records the
// transaction's hash (POST /admin/v1/withdrawals/:id/tx-hash, or the console's Withdrawals section,
// which asks for a fresh code above RAMPART_STEP_UP_AMOUNT). The hash takes the path of the intents'
// manual payouts (app/chain/operator-tx.ts: parsed for the network, checked on chain when a checker is
// configured, before anything is written); then, in one transaction under the withdrawal's lock,
// approved → sent (with the hash) → confirmed, the hold paid out as for a chain-confirmed payout, each
// status with its webhook. The same hash again answers as before (replayed); another hash, or a
// withdrawal in any other status, is 409 naming it; a hash already recorded for another withdrawal or
// intent payout is 409 tx_hash_already_used. On a chain that sends by itself (sandbox, evm) no
// hash is taken: 409 withdrawal_not_manual. `confirm` (the console's step-up) runs after every check,
// just before the write, so a mistyped or refused hash does not use up the operator's code.
import { WITHDRAWAL_MACHINE } from "../../core/withdrawals/withdrawal-status.js";
import { AppError } from "../../core/shared/errors.js";
import { findWithdrawal, lockWithdrawal, updateWithdrawal, type WithdrawalRow } from "../../db/withdrawals/withdrawals.js";
import { checkOperatorTx, claimOperatorTx, operatorTxHash, refuseUsedOperatorTx } from "../chain/operator-tx.js";
import type { Deps } from "../deps.js";
import { enqueueWithdrawalEvent } from "./withdrawal-events.js";
import { settleWithdrawal } from "./withdrawal-ledger.js";
import { portsForOwner } from "../merchants/test-mode.js";

export async function recordWithdrawalTx(deps: Deps, withdrawalId: string, txHashInput: string, confirm?: () => Promise<void>): Promise<{ withdrawal: WithdrawalRow; replayed: boolean }> {
  const found = await findWithdrawal(deps.database.db, withdrawalId);
  if (!found) throw new AppError("not_found", { message: "No such withdrawal." });
  const owed = { id: found.id, network: found.network, asset: found.asset, address: found.address, amountMinor: BigInt(found.amount_minor) };
  const txHash = operatorTxHash(owed, txHashInput);
  const replay = (w: WithdrawalRow) => w.status === "confirmed" && w.tx_hash === txHash;
  if (replay(found)) return { withdrawal: found, replayed: true };
  WITHDRAWAL_MACHINE.next(found.status, "operator_sent");
  // Only a payout the chain leaves to the operator: on one that sends, a hash entered here would pay twice.
  if ((await (await portsForOwner(deps, { merchantId: found.merchant_id, traderId: found.trader_id })).chain.status(found.payout_key)).kind !== "awaiting_operator") throw new AppError("withdrawal_not_manual");
  await refuseUsedOperatorTx(deps.database.db, owed, txHash, `withdrawal:${found.id}`);
  await checkOperatorTx(deps, owed, txHash);
  await confirm?.();
  return deps.database.db.transaction().execute(async (trx) => {
    const w = (await lockWithdrawal(trx, withdrawalId))!;
    if (replay(w)) return { withdrawal: w, replayed: true };
    const now = deps.clock.now();
    await claimOperatorTx(trx, owed, txHash, `withdrawal:${w.id}`, now);
    const sent = await updateWithdrawal(trx, w.id, { status: WITHDRAWAL_MACHINE.next(w.status, "operator_sent"), tx_hash: txHash, updated_at: now });
    await enqueueWithdrawalEvent(deps, trx, sent);
    const done = await updateWithdrawal(trx, w.id, { status: WITHDRAWAL_MACHINE.next(sent.status, "operator_paid"), updated_at: now });
    await settleWithdrawal(deps, trx, done);
    await enqueueWithdrawalEvent(deps, trx, done);
    return { withdrawal: done, replayed: false };
  });
}
