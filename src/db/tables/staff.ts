import type { ColumnType } from "kysely";
import type { CreatedAt } from "./foundation.js";

type Nullable<T> = ColumnType<T | null, T | null | undefined, T | null>;

/** The columns every signed-in account has, staff and merchant users alike (the sign-in reads only these). */
interface AccountColumns {
  id: string;
  email: string;
  role: string;
  totp_secret_enc: Nullable<string>;
  totp_enabled_at: Nullable<Date>;
  /** int8: a string, as every bigint column. */
  totp_last_step: Nullable<string>;
  created_at: CreatedAt;
  disabled_at: Nullable<Date>;
}

/** Staff accounts of the operator console (migration 0036_a). */
interface OperatorUsersTable extends AccountColumns {
  password_hash: string;
}

/** Merchant users of the merchant portal (migration 0055_u): an invitation until its password is set. */
interface MerchantUsersTable extends AccountColumns {
  merchant_id: string;
  password_hash: Nullable<string>;
  invite_token_hash: Nullable<Buffer>;
  invite_expires_at: Nullable<Date>;
  invited_by: string;
}

interface RecoveryCodesTable {
  user_id: string;
  code_hash: Buffer;
  used_at: Nullable<Date>;
}

interface SessionsTable {
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
  operator_recovery_codes: RecoveryCodesTable;
  operator_sessions: SessionsTable;
  merchant_users: MerchantUsersTable;
  merchant_user_recovery_codes: RecoveryCodesTable;
  merchant_user_sessions: SessionsTable;
}
