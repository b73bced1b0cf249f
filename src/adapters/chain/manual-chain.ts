// Manual chain: Rampart sends nothing. Every payout waits in the operator's queue
// (GET /admin/v1/payouts); the operator pays from their own wallet and enters the tx hash
// (POST /admin/v1/payouts/{payoutId}/tx-hash), which completes the intent.
import type { ChainPayout } from "../../app/ports.js";

export function createManualChain(): ChainPayout {
  return {
    name: "manual",
    async send() {
      return { kind: "awaiting_operator" };
    },
    async status() {
      return { kind: "awaiting_operator" };
    },
  };
}
