// A withdrawal as the merchant and trader APIs, the operator API and the webhooks show it: amounts as decimal
// strings in the asset's units, times in ISO 8601.
import { AssetRegistry } from "../../core/money/assets.js";
import { formatMinor } from "../../core/money/decimal.js";
import type { WithdrawalOwner } from "../../core/withdrawals/withdrawal-owner.js";
import type { WithdrawalStatus } from "../../core/withdrawals/withdrawal-status.js";
import type { WithdrawalRow } from "../../db/withdrawals/withdrawals.js";

export const WITHDRAWAL_ASSETS = new AssetRegistry();

/** The row's owner: exactly one of merchant_id and trader_id is set (a CHECK constraint). */
export function ownerOfWithdrawal(w: { merchant_id: string | null; trader_id: string | null }): WithdrawalOwner {
  return w.merchant_id !== null ? { kind: "merchant", id: w.merchant_id } : { kind: "trader", id: w.trader_id! };
}

export interface WithdrawalView {
  id: string;
  /** Exactly one of the two names the owner. */
  merchantId: string | null;
  traderId: string | null;
  status: WithdrawalStatus;
  addressId: string;
  network: string;
  asset: string;
  address: string;
  amount: string;
  fee: string;
  needsApproval: boolean;
  txHash: string | null;
  failureReason: string | null;
  /** An operator asked to cancel the sent payout; the chain decides (confirmed, or failed and returned). */
  cancelRequestedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export function withdrawalView(w: WithdrawalRow): WithdrawalView {
  const decimals = WITHDRAWAL_ASSETS.get(w.asset, w.network).decimals;
  return {
    id: w.id,
    merchantId: w.merchant_id,
    traderId: w.trader_id,
    status: w.status,
    addressId: w.address_id,
    network: w.network,
    asset: w.asset,
    address: w.address,
    amount: formatMinor(BigInt(w.amount_minor), decimals),
    fee: formatMinor(BigInt(w.fee_minor), decimals),
    needsApproval: w.needs_approval,
    txHash: w.tx_hash,
    failureReason: w.failure_reason,
    cancelRequestedAt: w.cancel_requested_at?.toISOString() ?? null,
    createdAt: w.created_at.toISOString(),
    updatedAt: w.updated_at.toISOString(),
  };
}
