// A withdrawal as the merchant API, the operator API and its webhooks show it: amounts as decimal
// strings in the asset's units, times in ISO 8601.
import { AssetRegistry } from "../../core/money/assets.js";
import { formatMinor } from "../../core/money/decimal.js";
import type { WithdrawalStatus } from "../../core/withdrawals/withdrawal-status.js";
import type { WithdrawalRow } from "../../db/withdrawals/withdrawals.js";

export const WITHDRAWAL_ASSETS = new AssetRegistry();

export interface WithdrawalView {
  id: string;
  merchantId: string;
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
  createdAt: string;
  updatedAt: string;
}

export function withdrawalView(w: WithdrawalRow): WithdrawalView {
  const decimals = WITHDRAWAL_ASSETS.get(w.asset, w.network).decimals;
  return {
    id: w.id,
    merchantId: w.merchant_id,
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
    createdAt: w.created_at.toISOString(),
    updatedAt: w.updated_at.toISOString(),
  };
}
