// Tables of migrations 0023_a (the EVM nonce manager and signed payout transactions, 0052_p: cancels) and 0045_a
// (trader deposit addresses, the deposit watcher's cursor, scanned blocks and deposits).
import type { ColumnType } from "kysely";
import type { EvmDepositStatus } from "../../core/chain/evm-deposit.js";
import type { EvmPayoutStatus } from "../../core/chain/evm-payout.js";

type Int8 = ColumnType<string, string | bigint, string | bigint>;

interface EvmDepositKeysTable {
  xpub: string;
  next_index: number;
}

interface EvmDepositAddressesTable {
  xpub: string;
  trader_id: string;
  child_index: number;
  address: string;
  created_at: Date;
}

interface EvmDepositCursorsTable {
  chain_id: number;
  next_block: Int8;
  updated_at: Date;
}

interface EvmDepositBlocksTable {
  chain_id: number;
  block_number: Int8;
  block_hash: string;
}

interface EvmDepositsTable {
  id: string;
  chain_id: number;
  tx_hash: string;
  log_index: number;
  block_number: Int8;
  block_hash: string;
  address: string;
  trader_id: string;
  asset: string;
  amount_base: Int8;
  decimals: number;
  amount_minor: ColumnType<string | null, string | bigint | null, string | bigint | null>;
  status: EvmDepositStatus;
  park_reason: string | null;
  credits: ColumnType<number, number | undefined, number>;
  created_at: Date;
  updated_at: Date;
}

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
  /** 0052_p: a 0-value transfer to the hot wallet at the payout's nonce (an operator's cancel). */
  cancels: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface EvmTables {
  evm_senders: EvmSendersTable;
  evm_payouts: EvmPayoutsTable;
  evm_payout_txs: EvmPayoutTxsTable;
  evm_deposit_keys: EvmDepositKeysTable;
  evm_deposit_addresses: EvmDepositAddressesTable;
  evm_deposit_cursors: EvmDepositCursorsTable;
  evm_deposit_blocks: EvmDepositBlocksTable;
  evm_deposits: EvmDepositsTable;
}
