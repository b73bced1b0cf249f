// The one way a use case hands crypto to the chain port: by payout key, asking before sending. The key
// is recorded in the caller's own table before this runs; a retry (a crashed worker, a re-run job)
// finds the earlier send by the key and never sends twice. Used by intent payouts and withdrawals.
import type { ChainPayout, ChainPayoutStatus } from "../ports.js";

type ChainPayoutRequest = Parameters<ChainPayout["send"]>[0];

/** What the chain (the payment's merchant's: portsFor) knows of the key; only when it never saw it, the payout is sent. */
export async function sendPayoutOnce(chain: ChainPayout, req: ChainPayoutRequest): Promise<ChainPayoutStatus> {
  const st = await chain.status(req.payoutKey);
  return st.kind === "unknown" ? chain.send(req) : st;
}
