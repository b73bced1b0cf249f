// The records of the EVM adapter's nonce manager: what the adapter asks of its store (implemented in
// SQL by src/db/chain/evm-payouts.ts, wired by main). Pure shapes, no I/O.

/** cancelled: an operator's cancel (a 0-value self-transfer at the same nonce) was mined to the depth. */
export type EvmPayoutStatus = "pending" | "confirmed" | "failed" | "cancelled";

export interface EvmSignedTx {
  txHash: string;
  rawTx: string;
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
  /** A cancel: it spends the payout's nonce on a 0-value transfer to the hot wallet instead of paying. */
  cancels?: boolean;
}

interface EvmPayoutTxRow {
  txHash: string;
  rawTx: string;
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
  createdAt: Date;
  broadcastAt: Date | null;
  cancels: boolean;
}

export interface EvmPayoutRow {
  payoutKey: string;
  sender: string;
  nonce: bigint;
  network: string;
  asset: string;
  toAddress: string;
  amountMinor: bigint;
  status: EvmPayoutStatus;
  currentTxHash: string;
  minedTxHash: string | null;
  minedBlockNumber: bigint | null;
  minedBlockHash: string | null;
  /** Gas used × effective gas price of the mined version, in wei. */
  feeWei: bigint | null;
  replacements: number;
  reorgs: number;
  /** Every signed version, the current one first. */
  txs: EvmPayoutTxRow[];
}

export interface EvmPayoutDraft {
  payoutKey: string;
  network: string;
  asset: string;
  toAddress: string;
  amountMinor: bigint;
}

export interface EvmPayoutStore {
  find(payoutKey: string): Promise<EvmPayoutRow | null>;
  /**
   * Takes the next nonce of `sender` for a new payout and records the transaction `sign` returns for it,
   * before anything is broadcast; or returns the payout already recorded under the key (created: false).
   */
  allocate(
    sender: string,
    chainNonce: bigint,
    draft: EvmPayoutDraft,
    now: Date,
    sign: (nonce: bigint) => Promise<EvmSignedTx>,
  ): Promise<{ created: boolean; payout: EvmPayoutRow }>;
  /** Records a fee-bumped version (or a cancel: signed.cancels) with the same nonce if `replaces` is still the current one. */
  addReplacement(payoutKey: string, replaces: string, signed: EvmSignedTx, now: Date): Promise<boolean>;
  markBroadcast(txHash: string, now: Date): Promise<void>;
  recordMined(payoutKey: string, mined: { txHash: string; blockNumber: bigint; blockHash: string; feeWei: bigint }, now: Date): Promise<void>;
  recordReorged(payoutKey: string, now: Date): Promise<void>;
  finish(payoutKey: string, status: Exclude<EvmPayoutStatus, "pending">, now: Date): Promise<void>;
}
