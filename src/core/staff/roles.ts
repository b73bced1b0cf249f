// Who may do what in the operator console and the operator API (issue 18). A person or an operator
// API key has exactly one role; a role is a fixed set of permissions. The console and the API ask
// `can(role, permission)` before an action runs, so the table below is the whole policy.

export const OPERATOR_ROLES = ["admin", "support", "finance", "viewer"] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

/** Each permission with what it lets a holder do (docs/console.md repeats this table). */
export const PERMISSIONS = {
  read: "see every page, list and payment (never a secret)",
  "audit.read": "read and export the audit log, verify its chain",
  "disputes.decide": "decide trading disputes (paid, not paid, paid a different amount)",
  "kyc.review": "approve or reject KYC cases",
  "payments.manage": "act on a payment: release or reject a risk review, cancel, resend its webhook",
  "webhooks.redeliver": "redeliver webhook and IPN messages, re-enable an endpoint",
  "transfers.assign": "assign an unmatched bank transfer to a pay-in or intent",
  refunds: "refund money to a payer (unmatched transfers, refund orders and their export)",
  withdrawals: "record and approve money going out (payouts, withdrawals)",
  "statements.import": "import bank statements",
  "traders.manage": "create traders, their requisites and limits, fund a sandbox deposit",
  configure: "merchants, stores, API keys, settings, catalogue, risk rules",
  "staff.manage": "staff accounts, their roles and sessions, operator API keys",
} as const;
export type Permission = keyof typeof PERMISSIONS;

const ALL = Object.keys(PERMISSIONS) as Permission[];

/** admin: everything; support: disputes, KYC, payments, webhooks; finance: balances, money out, refunds, statements; viewer: read only. */
export const ROLE_PERMISSIONS: Record<OperatorRole, readonly Permission[]> = {
  admin: ALL,
  support: ["read", "disputes.decide", "kyc.review", "payments.manage", "webhooks.redeliver", "transfers.assign"],
  finance: ["read", "transfers.assign", "refunds", "withdrawals", "statements.import"],
  viewer: ["read"],
};

export function can(role: OperatorRole, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

export function isOperatorRole(v: unknown): v is OperatorRole {
  return typeof v === "string" && (OPERATOR_ROLES as readonly string[]).includes(v);
}
