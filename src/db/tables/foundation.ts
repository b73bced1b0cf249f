import type { ColumnType } from "kysely";

/** A timestamptz column that the database fills by default. */
export type CreatedAt = ColumnType<Date, Date | undefined, never>;

interface MerchantsTable {
  id: string;
  name: string;
  created_at: CreatedAt;
  /** A test twin: the live merchant whose test mode this is; null for a live merchant (migration 0060_t). */
  test_of: ColumnType<string | null, string | null | undefined, never>;
}

interface StoresTable {
  id: string;
  merchant_id: string;
  name: string;
  created_at: CreatedAt;
  /** A test twin's store: the live store it mirrors; null for a live store (migration 0060_t). */
  test_of: ColumnType<string | null, string | null | undefined, never>;
}

interface ApiKeysTable {
  id: string;
  merchant_id: string;
  key_hash: Buffer;
  key_enc: string;
  label: ColumnType<string, string | undefined, string>;
  created_at: CreatedAt;
  revoked_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** Refused on every request that changes something (migration 0049_m). */
  read_only: ColumnType<boolean, boolean | undefined, never>;
}

interface OperatorKeysTable {
  id: string;
  key_hash: Buffer;
  label: ColumnType<string, string | undefined, string>;
  /** One of core/staff/roles.ts OPERATOR_ROLES (migration 0036_a; older keys are admin). */
  role: ColumnType<string, string | undefined, string>;
  created_at: CreatedAt;
  revoked_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

interface SchemaMigrationsTable {
  name: string;
  applied_at: CreatedAt;
}

/** One row once the database has run in live mode (migration 0021). */
interface LiveDatabaseTable {
  id: ColumnType<boolean, boolean | undefined, never>;
  marked_at: ColumnType<Date, Date | undefined, never>;
}

export interface FoundationTables {
  merchants: MerchantsTable;
  stores: StoresTable;
  api_keys: ApiKeysTable;
  operator_keys: OperatorKeysTable;
  schema_migrations: SchemaMigrationsTable;
  live_database: LiveDatabaseTable;
}
