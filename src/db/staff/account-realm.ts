// The two kinds of people who sign in with e-mail, password and TOTP: operator staff (/dashboard) and
// merchant users (/merchant). Their tables have the same account, recovery-code and session columns,
// so one set of SQL serves both, named by realm.
export type AccountRealm = "operator" | "merchant";

export const REALM_TABLES = {
  operator: { users: "operator_users", codes: "operator_recovery_codes", sessions: "operator_sessions" },
  merchant: { users: "merchant_users", codes: "merchant_user_recovery_codes", sessions: "merchant_user_sessions" },
} as const;
