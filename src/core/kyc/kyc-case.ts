// KYC as a core capability shared by the dialects: a case per user and level, with an explicit
// state machine. The vendor decides (approved / rejected / review / pending); support decides reviews.
//
//   open ──submit──▶ submitted ──vendor_pending──▶ pending_vendor
//   submitted | pending_vendor ──approve──▶ approved    ──reject──▶ rejected
//   submitted | pending_vendor ──send_to_review──▶ review ──support_approve──▶ approved
//                                                          ──support_reject──▶ rejected
//   open | submitted | pending_vendor | review ──abandon──▶ abandoned (window over)
import { IllegalTransitionError } from "../shared/errors.js";

export const KYC_LEVELS = ["NONE", "KYC_0", "KYC_1", "KYC_2", "KYC_3"] as const;
export type KycLevel = (typeof KYC_LEVELS)[number];

export function levelRank(level: KycLevel): number {
  return KYC_LEVELS.indexOf(level);
}

export const KYC_CASE_STATUSES = ["open", "submitted", "pending_vendor", "review", "approved", "rejected", "abandoned"] as const;
export type KycCaseStatus = (typeof KYC_CASE_STATUSES)[number];

export type KycCaseAction =
  | "submit"
  | "vendor_pending"
  | "approve"
  | "reject"
  | "send_to_review"
  | "support_approve"
  | "support_reject"
  | "abandon";

export type KycActor = "user" | "vendor" | "support" | "system";

export const KYC_TRANSITIONS: Record<KycCaseAction, { from: readonly KycCaseStatus[]; to: KycCaseStatus }> = {
  submit: { from: ["open"], to: "submitted" },
  vendor_pending: { from: ["submitted"], to: "pending_vendor" },
  approve: { from: ["submitted", "pending_vendor"], to: "approved" },
  reject: { from: ["submitted", "pending_vendor"], to: "rejected" },
  send_to_review: { from: ["submitted", "pending_vendor"], to: "review" },
  support_approve: { from: ["review"], to: "approved" },
  support_reject: { from: ["review"], to: "rejected" },
  abandon: { from: ["open", "submitted", "pending_vendor", "review"], to: "abandoned" },
};

export function nextKycStatus(current: string, action: KycCaseAction): KycCaseStatus {
  const t = KYC_TRANSITIONS[action];
  if (!(KYC_CASE_STATUSES as readonly string[]).includes(current) || !t.from.includes(current as KycCaseStatus)) {
    throw new IllegalTransitionError("KYC case", current, action.replace(/_/g, " "));
  }
  return t.to;
}

/** A decided approval counts until it expires (store setting: KYC validity days). */
export function isKycValid(c: { status: string; expires_at: Date | null }, now: Date): boolean {
  return c.status === "approved" && (c.expires_at === null || c.expires_at.getTime() > now.getTime());
}
