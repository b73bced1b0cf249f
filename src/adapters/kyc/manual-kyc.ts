// Manual KYC: no vendor decides anything. Every submitted case goes to the review queue
// (/admin/v1/kyc/reviews, the dashboard) and waits there for an operator's approve or reject.
import type { KycVendor } from "../../app/ports.js";

export function createManualKyc(): KycVendor {
  return {
    name: "manual",
    async submit() {
      return { kind: "review" };
    },
    // Only a `pending` answer leads to a check; kept answering review so a stray check never decides.
    async check() {
      return { kind: "review" };
    },
  };
}
