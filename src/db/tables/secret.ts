// Table of migration 0013: the server secret's key check.
import type { ColumnType } from "kysely";

interface SecretKeyCheckTable {
  id: ColumnType<boolean, boolean | undefined, never>;
  key_id: string;
  check_enc: string;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface SecretTables {
  secret_key_check: SecretKeyCheckTable;
}
