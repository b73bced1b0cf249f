// Table of migration 0058_t: transaction hashes operators recorded for manual payouts, one use each.

interface OperatorTxHashesTable {
  /** The hash's chain (the asset's address format): erc20 and ethereum share one. */
  chain: string;
  tx_hash: string;
  /** 'withdrawal:<id>' or 'payout:<payout_key>'. */
  used_by: string;
  created_at: Date;
}

export interface OperatorTxTables {
  operator_tx_hashes: OperatorTxHashesTable;
}
