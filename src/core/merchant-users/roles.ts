// Who may do what in the merchant portal (issue 19). A merchant user has one role; the portal asks
// `merchantCan(role, permission)` before a page or action runs, so this table is the whole policy
// (docs/merchant-portal.md repeats it).

export const MERCHANT_ROLES = ["owner", "developer", "finance", "support"] as const;
export type MerchantRole = (typeof MERCHANT_ROLES)[number];

export const MERCHANT_PERMISSIONS = {
  payments: "see payments, their timelines and the CSV export",
  developer: "see the developer page (ids, base URLs, examples)",
  keys: "see, create and revoke API keys",
  webhooks: "manage webhook endpoints",
  settings: "change the merchant's settings",
  balance: "see the balance and statements",
  withdrawals: "request withdrawals and see them",
  users: "invite merchant users, change their roles, disable them",
} as const;
export type MerchantPermission = keyof typeof MERCHANT_PERMISSIONS;

/** owner: everything; developer: keys, webhooks, settings; finance: balance, statements, withdrawals; support: payments only. */
const ROLE_PERMISSIONS: Record<MerchantRole, readonly MerchantPermission[]> = {
  owner: Object.keys(MERCHANT_PERMISSIONS) as MerchantPermission[],
  developer: ["payments", "developer", "keys", "webhooks", "settings"],
  finance: ["payments", "balance", "withdrawals"],
  support: ["payments"],
};

export const merchantCan = (role: MerchantRole, permission: MerchantPermission): boolean => ROLE_PERMISSIONS[role].includes(permission);

export function isMerchantRole(v: unknown): v is MerchantRole {
  return typeof v === "string" && (MERCHANT_ROLES as readonly string[]).includes(v);
}
