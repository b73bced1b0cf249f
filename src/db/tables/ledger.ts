import type { ColumnType, Generated } from "kysely";
import type { CreatedAt } from "./foundation.js";

/** An int8 column: read as a string (both engines), written as a decimal string. */
export type Int8 = ColumnType<string, string | undefined, string>;

interface LedgerAccountsTable {
  id: ColumnType<string, never, never>;
  owner: string;
  asset: string;
  purpose: string;
  no_negative: boolean;
  created_at: CreatedAt;
}

interface LedgerAccountBalancesTable {
  account_id: string;
  posted: Int8;
  pending_debits: Int8;
  pending_credits: Int8;
}

interface LedgerTransfersTable {
  id: string;
  code: string;
  ref_type: string;
  ref_id: string;
  pending: boolean;
  expires_at: Date | null;
  reversal_of: string | null;
  created_at: Date;
}

interface LedgerEntriesTable {
  id: Generated<string>;
  transfer_id: string;
  account_id: string;
  asset: string;
  amount: string;
}

interface LedgerTransferResolutionsTable {
  transfer_id: string;
  kind: "posted" | "voided" | "expired";
  at: Date;
}

export interface LedgerTables {
  ledger_accounts: LedgerAccountsTable;
  ledger_account_balances: LedgerAccountBalancesTable;
  ledger_transfers: LedgerTransfersTable;
  ledger_entries: LedgerEntriesTable;
  ledger_transfer_resolutions: LedgerTransferResolutionsTable;
}
