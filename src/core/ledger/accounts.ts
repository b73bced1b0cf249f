// Ledger accounts are keyed by owner, asset and purpose. Purposes that hold someone else's money may
// never go below zero (counting pending debits); the flag is stored on the account at creation.

export type AccountPurpose =
  | "platform_inventory"
  | "platform_funding"
  | "merchant_balance"
  | "trader_deposit"
  /** A trader's crypto held by its open trading pay-ins, credited to the merchant at settlement. */
  | "trader_escrow"
  | "customer_wallet"
  | "fee_revenue"
  | "fiat_clearing"
  /** Crypto that arrived on chain at traders' deposit addresses: the other side of their deposit credits. */
  | "chain_clearing"
  | "payout_in_flight"
  /** A withdrawal's amount and fee, out of its owner's balance from the request until it is paid or returned. */
  | "withdrawal_hold"
  /** Transaction fees (gas) the platform's hot wallet paid on chain, in the network's coin. */
  | "network_fees";

/** owner e.g. "platform", "merchant:<uuid>", "trader:<id>", "customer:<id>"; asset e.g. "USDT", "EUR". */
export interface AccountRef {
  owner: string;
  asset: string;
  purpose: AccountPurpose;
}

/** One of the platform's own accounts; `owner` is "platform", or "platform:test" for test twins' money (app/merchants/test-mode.ts). */
export const platformAccount = (owner: string, asset: string, purpose: AccountPurpose): AccountRef => ({ owner, asset, purpose });

const NO_NEGATIVE_PURPOSES: ReadonlySet<AccountPurpose> = new Set(["merchant_balance", "trader_deposit", "customer_wallet"]);

export function isNoNegative(purpose: AccountPurpose): boolean {
  return NO_NEGATIVE_PURPOSES.has(purpose);
}

export const accountKey = (a: AccountRef): string => `${a.owner}\u0000${a.asset}\u0000${a.purpose}`;

/** A stable order (for lazy creation and locking) so concurrent transfers take locks the same way. */
export function compareAccounts(a: AccountRef, b: AccountRef): number {
  const ka = accountKey(a);
  const kb = accountKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
