// Sandbox KYC vendor: decides by documented rule, statelessly, so any process can answer a check.
//   last name "Reject"  → rejected
//   last name "Review"  → manual review by support
//   anything else       → approved; with a delay configured, "pending" first and approved on check
import type { KycVendor } from "../../app/ports.js";

const SANDBOX_KYC_RULES = { reject: "Reject", review: "Review" } as const;

export function createSandboxKycVendor(approvalDelayMs: number): KycVendor {
  return {
    name: "sandbox-kyc",
    async submit(sub) {
      const last = sub.lastName.trim();
      if (last === SANDBOX_KYC_RULES.reject) return { kind: "rejected", reason: "Sandbox rule: last name Reject" };
      if (last === SANDBOX_KYC_RULES.review) return { kind: "review" };
      return approvalDelayMs > 0 ? { kind: "pending", retryAfterMs: approvalDelayMs } : { kind: "approved" };
    },
    async check() {
      return { kind: "approved" };
    },
  };
}
