// The gas a confirmed payout cost the hot wallet, as the chain port reports it (in the network's coin,
// e.g. wei of ETH): a balanced transfer from the platform's network-fee expense account to its chain
// clearing account for that coin — the coin left the hot wallet, Rampart paid it. Booked once, in the
// transaction that records the confirmation, under an id derived from the payout's owner.
import type { Transaction } from "kysely";
import { platformAccount } from "../../core/ledger/accounts.js";
import type { DB } from "../../db/schema.js";
import type { Deps } from "../deps.js";
import { postTransfer } from "../ledger/ledger.js";

export interface NetworkFee {
  asset: string;
  amountMinor: bigint;
}

/** Posts `fee` (nothing when zero: a chain that charged none) on `platformOwner`'s accounts (test-mode.ts platformOwnerFor). */
export async function postNetworkFee(
  deps: Deps,
  trx: Transaction<DB>,
  transfer: { id: string; code: string; ref: { type: string; id: string } },
  fee: NetworkFee,
  platformOwner: string,
): Promise<void> {
  if (fee.amountMinor <= 0n) return;
  await postTransfer(
    trx,
    {
      ...transfer,
      entries: [
        { account: platformAccount(platformOwner, fee.asset, "network_fees"), amountMinor: -fee.amountMinor },
        { account: platformAccount(platformOwner, fee.asset, "chain_clearing"), amountMinor: fee.amountMinor },
      ],
    },
    deps.clock.now(),
  );
}
