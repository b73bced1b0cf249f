// A trader's deposit seen on an EVM chain: its status machine and the exact conversion of an on-chain
// amount (the token's own decimals) to the ledger's minor units. Pure, no I/O.
import { defineMachine } from "../shared/state-machine.js";

const EVM_DEPOSIT_STATUSES = ["credited", "parked", "reorged", "reversal_due"] as const;
export type EvmDepositStatus = (typeof EVM_DEPOSIT_STATUSES)[number];

/**
 * credited: the credit is booked. parked: seen, never credited (an asset the deposit does not hold, or
 * dust below the ledger's scale); an operator settles it by hand. reorged: its block left the chain
 * before finality and any credit was reversed. reversal_due: its block left the chain but the trader's
 * free deposit could not cover the reversal yet (held by open pay-ins); the watcher retries it.
 * reappear: the same (tx hash, log index) was mined again in a new block.
 */
export const EVM_DEPOSIT_MACHINE = defineMachine<EvmDepositStatus, "reorg" | "reverse" | "drop" | "reappear" | "repark">({
  entity: "deposit",
  noun: "a deposit",
  statuses: EVM_DEPOSIT_STATUSES,
  statusWords: { credited: "credited", parked: "parked", reorged: "reorged", reversal_due: "waiting for its reversal" },
  transitions: {
    // credited → reversal_due, then reverse → reorged once the reversal is booked.
    reorg: { from: ["credited"], to: "reversal_due", verb: "reorg" },
    reverse: { from: ["reversal_due"], to: "reorged", verb: "reverse" },
    // A parked deposit has no credit to reverse.
    drop: { from: ["parked"], to: "reorged", verb: "drop" },
    // Mined again: a reorged deposit is credited anew; one whose reversal never got booked keeps its credit.
    reappear: { from: ["reorged", "reversal_due"], to: "credited", verb: "re-credit" },
    // Mined again but not creditable (it was parked before its block left).
    repark: { from: ["reorged"], to: "parked", verb: "park" },
  },
});

type DepositAmount = { kind: "exact"; minor: bigint } | { kind: "refused"; reason: string };

/**
 * `base` units of a token with `decimals` in the ledger's `scale`. Never rounds: an amount with
 * digits below the ledger's scale (e.g. 1.0000001 of an 18-decimal token into a 6-decimal ledger) is
 * dust and is parked for an operator rather than credited short or long; so is one above `maxMinor`.
 */
export function depositToLedgerMinor(base: bigint, decimals: number, scale: number, maxMinor: bigint): DepositAmount {
  let minor: bigint;
  if (decimals <= scale) minor = base * 10n ** BigInt(scale - decimals);
  else {
    const div = 10n ** BigInt(decimals - scale);
    if (base % div !== 0n) return { kind: "refused", reason: `dust: digits beyond the ledger's ${scale} decimals` };
    minor = base / div;
  }
  if (minor > maxMinor) return { kind: "refused", reason: "above the largest deposit credited automatically" };
  return { kind: "exact", minor };
}
