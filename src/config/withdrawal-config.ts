// Withdrawals of merchants' balances (docs/withdrawals.md): the cooling-off period of a new allow-listed
// address, the fee per asset and the amount above which an operator approves. Amounts stay decimal
// text here; the use case turns them into the asset's minor units.
import { ConfigError, type Env, int } from "./config.js";

export interface WithdrawalConfig {
  /** A newly added address is usable this many hours after it was added (RAMPART_WITHDRAWAL_COOLING_OFF_HOURS). */
  coolingOffHours: number;
  /** Asset symbol → the flat fee per withdrawal, e.g. { USDT: "1.5" } (RAMPART_WITHDRAWAL_FEES); an asset not named pays none. */
  fees: Record<string, string>;
  /** Asset symbol → withdrawals above this amount wait for an operator (RAMPART_WITHDRAWAL_APPROVAL_ABOVE); an asset not named always waits. */
  approvalAbove: Record<string, string>;
}

/** `USDT=1.5,ETH=0.001`: an asset symbol and a non-negative decimal amount per item. */
function perAsset(env: Env, name: string, dflt: string): Record<string, string> {
  const raw = env[name]?.trim() ?? dflt;
  const out: Record<string, string> = {};
  for (const item of raw.split(",").map((s) => s.trim()).filter(Boolean)) {
    const m = /^([A-Z0-9]{2,10})=(\d{1,18}(?:\.\d{1,18})?)$/.exec(item);
    if (!m) throw new ConfigError(name, `expected ASSET=amount items like USDT=1000, got "${item}"`);
    out[m[1]!] = m[2]!;
  }
  return out;
}

export function withdrawalConfig(env: Env): WithdrawalConfig {
  return {
    coolingOffHours: int(env, "RAMPART_WITHDRAWAL_COOLING_OFF_HOURS", 24, 0, 24 * 365),
    fees: perAsset(env, "RAMPART_WITHDRAWAL_FEES", ""),
    approvalAbove: perAsset(env, "RAMPART_WITHDRAWAL_APPROVAL_ABOVE", "USDT=1000"),
  };
}
