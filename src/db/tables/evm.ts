// Tables of migration 0023_a: the EVM nonce manager and signed payout transactions.
import type { ColumnType } from "kysely";
import type { EvmPayoutStatus } from "../../core/chain/evm-payout.js";

interface EvmSendersTable {
  chain_id: number;
  address: string;
  next_nonce: ColumnType<string, string | bigint, string | bigint>;
}


interface EvmPayoutsTable {
  payout_key: string;
  chain_id: number;
  sender: string;
  nonce: ColumnType<string, string | bigint, string | bigint>;
  network: string;
  asset: string;
  to_address: string;
  amount_minor: ColumnType<string, string | bigint, string | bigint>;
  status: EvmPayoutStatus;
  current_tx_hash: string;
  mined_tx_hash: string | null;
  mined_block_number: ColumnType<string | null, string | bigint | null, string | bigint | null>;
  mined_block_hash: string | null;
  fee_wei: ColumnType<string | null, string | bigint | null, string | bigint | null>;
  replacements: ColumnType<number, number | undefined, number>;
  reorgs: ColumnType<number, number | undefined, number>;
  created_at: Date;
  updated_at: Date;
}

interface EvmPayoutTxsTable {
  tx_hash: string;
  payout_key: string;
  raw_tx: string;
  max_fee_per_gas: ColumnType<string, string | bigint, string | bigint>;
  max_priority_fee_per_gas: ColumnType<string, string | bigint, string | bigint>;
  created_at: Date;
  broadcast_at: Date | null;
}

export interface EvmTables {
  evm_senders: EvmSendersTable;
  evm_payouts: EvmPayoutsTable;
  evm_payout_txs: EvmPayoutTxsTable;
}
