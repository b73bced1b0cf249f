// Transaction ids as explorers print them: 0x and 64 hex digits on Ethereum-style chains, 64 hex digits
// on Bitcoin and TRON. An operator types or pastes one for a manual payout; it is stored lower-case.
import type { AddressFormat } from "./assets.js";

const TX_HASH: Record<AddressFormat, RegExp> = {
  ethereum: /^0x[0-9a-f]{64}$/,
  bitcoin: /^[0-9a-f]{64}$/,
  tron: /^[0-9a-f]{64}$/,
};

/** The normalised hash, or null when it is not a transaction id of this chain. */
export function normaliseTxHash(format: AddressFormat, hash: string): string | null {
  const h = hash.trim().toLowerCase();
  return TX_HASH[format].test(h) ? h : null;
}
