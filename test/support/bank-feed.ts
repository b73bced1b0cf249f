// The sandbox bank feed as tests call it: POST /sandbox/bank-transfers with the merchant key whose
// payment it pays (or the operator key, for transfers that pay nothing).
import type { FastifyInstance } from "fastify";
import { jsonCall } from "./json-call.js";

export type FeedCredential = { apiKey: string } | { operatorKey: string };

export interface SandboxTransferAnswer {
  transferId: string;
  outcome: "paid" | "recalculated" | "refunded" | "duplicate_payment" | "unmatched";
  duplicate: boolean;
  reason: string | null;
  tradingPayinId: string | null;
  paymentIntentId: string | null;
}

export async function sandboxTransfer(app: FastifyInstance, who: FeedCredential, body: Record<string, unknown>) {
  const headers: Record<string, string> = "apiKey" in who ? { "x-api-key": who.apiKey } : { "x-operator-key": who.operatorKey };
  const r = await jsonCall(app, "POST", "/sandbox/bank-transfers", headers, body);
  return { status: r.status, json: r.json as SandboxTransferAnswer & Record<string, unknown>, text: r.text };
}
