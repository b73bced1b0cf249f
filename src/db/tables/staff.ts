import type { ColumnType } from "kysely";
import type { CreatedAt } from "./foundation.js";

type Nullable<T> = ColumnType<T | null, T | null | undefined, T | null>;

/** Staff accounts of the operator console (migration 0036_a). */
interface OperatorUsersTable {
  id: string;
  email: string;
  password_hash: string;
  role: string;
  totp_secret_enc: Nullable<string>;
  totp_enabled_at: Nullable<Date>;
  /** int8: a string, as every bigint column. */
  totp_last_step: Nullable<string>;
  created_at: CreatedAt;
  disabled_at: Nullable<Date>;
}

interface OperatorRecoveryCodesTable {
  user_id: string;
  code_hash: Buffer;
  used_at: Nullable<Date>;
}

interface OperatorSessionsTable {
  token_hash: Buffer;
  user_id: string;
  stage: "password" | "full";
  ip: string;
  created_at: Date;
  expires_at: Date;
  revoked_at: Nullable<Date>;
}

export interface StaffTables {
  operator_users: OperatorUsersTable;
  operator_recovery_codes: OperatorRecoveryCodesTable;
  operator_sessions: OperatorSessionsTable;
}
