// KYC as a core capability shared by the dialects: a case per user and level, with an explicit
// state machine. The vendor decides (approved / rejected / review / pending); support decides reviews.
//
//   open ──submit──▶ submitted ──vendor_pending──▶ pending_vendor
//   submitted | pending_vendor ──approve──▶ approved    ──reject──▶ rejected
//   submitted | pending_vendor ──send_to_review──▶ review ──support_approve──▶ approved
//                                                          ──support_reject──▶ rejected
//   open | submitted | pending_vendor | review ──abandon──▶ abandoned (window over)
import { defineMachine } from "../shared/state-machine.js";

const KYC_LEVELS = ["NONE", "KYC_0", "KYC_1", "KYC_2", "KYC_3"] as const;
export type KycLevel = (typeof KYC_LEVELS)[number];
const KYC_CASE_STATUSES = ["open", "submitted", "pending_vendor", "review", "approved", "rejected", "abandoned"] as const;
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

export const KYC_MACHINE = defineMachine<KycCaseStatus, KycCaseAction>({
  entity: "KYC case",
  noun: "a KYC case",
  statuses: KYC_CASE_STATUSES,
  statusWords: {
    open: "open",
    submitted: "submitted",
    pending_vendor: "waiting for the vendor",
    review: "in manual review",
    approved: "approved",
    rejected: "rejected",
    abandoned: "abandoned",
  },
  transitions: {
    submit: { from: ["open"], to: "submitted", verb: "submit" },
    vendor_pending: { from: ["submitted"], to: "pending_vendor", verb: "wait for the vendor on" },
    approve: { from: ["submitted", "pending_vendor"], to: "approved", verb: "approve" },
    reject: { from: ["submitted", "pending_vendor"], to: "rejected", verb: "reject" },
    send_to_review: { from: ["submitted", "pending_vendor"], to: "review", verb: "send to manual review" },
    support_approve: { from: ["review"], to: "approved", verb: "approve" },
    support_reject: { from: ["review"], to: "rejected", verb: "reject" },
    abandon: { from: ["open", "submitted", "pending_vendor", "review"], to: "abandoned", verb: "abandon" },
  },
});

/** A decided approval counts until it expires (store setting: KYC validity days). */
export function isKycValid(c: { status: string; expires_at: Date | null }, now: Date): boolean {
  return c.status === "approved" && (c.expires_at === null || c.expires_at.getTime() > now.getTime());
}
