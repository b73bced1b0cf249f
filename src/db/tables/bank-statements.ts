// Bank statement imports and saved CSV mappings (migration 0020).
import type { ColumnType } from "kysely";
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

export interface BankStatementTables {
  bank_statement_imports: BankStatementImportsTable;
  bank_csv_mappings: BankCsvMappingsTable;
}
