// Tables of migration 0046_w (0046_w_withdrawals_traders: a merchant or a trader owns each row): allow-listed withdrawal addresses and withdrawals.
import type { ColumnType } from "kysely";
import type { WithdrawalStatus } from "../../core/withdrawals/withdrawal-status.js";

type Int8 = ColumnType<string, string | bigint, string | bigint>;

interface WithdrawalAddressesTable {
  id: string;
  merchant_id: string | null;
  trader_id: string | null;
  network: string;
  address: string;
  label: string | null;
  usable_from: Date;
  created_at: Date;
  removed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface WithdrawalsTable {
  id: string;
  merchant_id: string | null;
  trader_id: string | null;
  api_key_id: string | null;
  address_id: string;
  network: string;
  asset: string;
  address: string;
  amount_minor: Int8;
  fee_minor: Int8;
  status: WithdrawalStatus;
  needs_approval: boolean;
  payout_key: string;
  tx_hash: ColumnType<string | null, string | null | undefined, string | null>;
  network_fee_minor: ColumnType<string | null, string | bigint | null | undefined, string | bigint | null>;
  failure_reason: ColumnType<string | null, string | null | undefined, string | null>;
  decided_by: ColumnType<string | null, string | null | undefined, string | null>;
  polls: ColumnType<number, number | undefined, number>;
  /** 0052_p: an operator asked to cancel the sent payout (the chain decides: confirmed, or failed and returned). */
  cancel_requested_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  cancel_requested_by: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Date;
  updated_at: Date;
}

export interface WithdrawalTables {
  withdrawal_addresses: WithdrawalAddressesTable;
  withdrawals: WithdrawalsTable;
}
