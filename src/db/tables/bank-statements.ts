// Bank statement imports and saved CSV mappings (migration 0020), refund orders and their pain.001
// exports (0020_c; the account paid from, 0022_a).
import type { ColumnType } from "kysely";
import type { RefundOrderStatus } from "../../core/bank-statements/refund-order-status.js";
import type { CreatedAt } from "./foundation.js";

type Nullable<T> = ColumnType<T | null, T | null | undefined, T | null>;
/** jsonb: both engines parse it on the way out; written as a JSON string. */
type Json<T> = ColumnType<T, string, string>;

export interface BankStatementImportsTable {
  id: string;
  account: string;
  requisite_id: Nullable<string>;
  format: string;
  file_name: Nullable<string>;
  file_sha256: string;
  source: string;
  entries_read: number;
  matched: number;
  duplicates: number;
  unmatched: number;
  ignored: number;
  rejected: number;
  lines: Json<unknown[]>;
  created_at: CreatedAt;
}

interface BankCsvMappingsTable {
  account: string;
  mapping: Json<unknown>;
  updated_at: Date;
}

/** The watched inbox's claim on a file's content (migration 0022_b). */
interface BankInboxFilesTable {
  file_sha256: string;
  file_name: string;
  import_id: Nullable<string>;
  claimed_at: Date;
}

export interface BankStatementTables {
  bank_statement_imports: BankStatementImportsTable;
  bank_csv_mappings: BankCsvMappingsTable;
  bank_inbox_files: BankInboxFilesTable;
}

interface RefundExportsTable {
  id: string;
  orders: number;
  pain001: string;
  created_at: Date;
}

interface RefundOrdersTable {
  id: string;
  bank_transfer_id: string;
  amount_minor: ColumnType<string, bigint | string, bigint | string>;
  currency: string;
  creditor_name: Nullable<string>;
  creditor_iban: Nullable<string>;
  status: RefundOrderStatus;
  reason: Nullable<string>;
  export_id: Nullable<string>;
  statement_import_id: Nullable<string>;
  created_at: Date;
  exported_at: Nullable<Date>;
  closed_at: Nullable<Date>;
  /** The account it is paid from when no intent names one (a refunded unmatched transfer; 0022_a). */
  debtor_iban: Nullable<string>;
  debtor_bic: Nullable<string>;
  debtor_name: Nullable<string>;
}

export interface RefundTables {
  refund_exports: RefundExportsTable;
  refund_orders: RefundOrdersTable;
}
