// A merchant asks to withdraw part of its balance (a trader: the free part of its deposit, never what
// open pay-ins hold) to one of its allow-listed addresses. In one
// transaction: the address is locked and checked (live, cooled off), the withdrawal recorded with its
// payout key, amount + fee moved out of the balance into the withdrawal hold (the balance row locked
// FOR UPDATE, so concurrent requests cannot overdraw it), its webhook queued and, below the approval
// threshold, its payout job. Above the threshold it waits in `requested` for an operator.
import { formatMinor, parseAmount } from "../../core/money/decimal.js";
import { AppError } from "../../core/shared/errors.js";
import { INT8_MAX } from "../../core/shared/int8.js";
import { needsApproval } from "../../core/withdrawals/withdrawal-rules.js";
import type { WithdrawalOwner } from "../../core/withdrawals/withdrawal-owner.js";
import { insertWithdrawal, lockWithdrawalAddress, ownerColumns, type WithdrawalRow } from "../../db/withdrawals/withdrawals.js";
import type { Deps } from "../deps.js";
import type { CommitAnswer } from "../idempotency/idempotency-keys.js";
import { enqueueJob } from "../outbox/outbox.js";
import { enqueueWithdrawalEvent } from "./withdrawal-events.js";
import { holdWithdrawal } from "./withdrawal-ledger.js";
import { WITHDRAWAL_ASSETS } from "./withdrawal-view.js";

interface WithdrawalRequest {
  addressId: string;
  asset: string;
  amount: string;
}

const withdrawalPayoutKey = (withdrawalId: string) => `withdrawal_${withdrawalId}`;

export async function requestWithdrawal(
  deps: Deps,
  who: { owner: WithdrawalOwner; apiKeyId: string | null },
  input: WithdrawalRequest,
  commit?: CommitAnswer<WithdrawalRow>,
): Promise<WithdrawalRow> {
  const { config } = deps;
  return deps.database.db.transaction().execute(async (trx) => {
    const address = await lockWithdrawalAddress(trx, who.owner, input.addressId);
    if (!address) throw new AppError("withdrawal_address_not_allowed", { field: "addressId" });
    const asset = WITHDRAWAL_ASSETS.get(input.asset, address.network, "asset");
    const amount = parseAmount(input.amount, asset.decimals, { field: "amount" });
    if (amount <= 0n) throw new AppError("invalid_amount", { field: "amount", message: "The amount must be positive." });
    const fee = parseAmount(config.withdrawals.fees[asset.symbol] ?? "0", asset.decimals);
    // The hold moves amount + fee: that sum must fit the ledger's int8 (found by fuzzing: a 500).
    if (amount + fee > INT8_MAX) throw new AppError("amount_above_maximum", { field: "amount" });
    const now = deps.clock.now();
    if (address.usable_from.getTime() > now.getTime()) {
      throw new AppError("withdrawal_address_cooling_off", { field: "addressId", details: { usableFrom: address.usable_from.toISOString() } });
    }
    const threshold = config.withdrawals.approvalAbove[asset.symbol];
    const waits = needsApproval(amount, threshold === undefined ? null : parseAmount(threshold, asset.decimals));
    const id = deps.ids.prefixed("wd");
    const row: WithdrawalRow = {
      id,
      ...ownerColumns(who.owner),
      api_key_id: who.apiKeyId,
      address_id: address.id,
      network: address.network,
      asset: asset.symbol,
      address: address.address,
      amount_minor: amount.toString(),
      fee_minor: fee.toString(),
      status: waits ? "requested" : "approved",
      needs_approval: waits,
      payout_key: withdrawalPayoutKey(id),
      tx_hash: null,
      network_fee_minor: null,
      failure_reason: null,
      decided_by: null,
      polls: 0,
      cancel_requested_at: null,
      cancel_requested_by: null,
      created_at: now,
      updated_at: now,
    };
    await insertWithdrawal(trx, row);
    try {
      await holdWithdrawal(deps, trx, row);
    } catch (err) {
      if (err instanceof AppError && err.code === "insufficient_funds") {
        const available = BigInt(String(err.details?.available ?? "0"));
        throw new AppError("withdrawal_insufficient_balance", { field: "amount", details: { available: formatMinor(available, asset.decimals) } });
      }
      throw err;
    }
    await enqueueWithdrawalEvent(deps, trx, row);
    if (!waits) await scheduleWithdrawalPayout(trx, id);
    await commit?.(trx, row);
    return row;
  });
}

/** The payout job of an approved withdrawal (once per withdrawal: the job key is unique). */
export async function scheduleWithdrawalPayout(trx: Parameters<typeof enqueueJob>[0], withdrawalId: string): Promise<void> {
  await enqueueJob(trx, "withdrawal.payout", { withdrawalId }, { key: `withdrawal.payout:${withdrawalId}` });
}
