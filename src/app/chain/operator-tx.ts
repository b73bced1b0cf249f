// A transaction an operator paid by hand on the manual chain (RAMPART_CHAIN=manual) and entered by its
// hash, for an intent's payout (app/intents/operator-payouts.ts) or a withdrawal
// (app/withdrawals/withdrawal-operator-tx.ts): the hash parsed for the payout's network, then, with a
// checker configured (RAMPART_EVM_RPC_URLS), checked on chain before anything is written. A transaction
// that does not pay exactly what is owed is refused, one not yet deep enough is refused as "enter it
// again later". Without a checker, the hash is recorded as entered. Either way a hash pays one payout
// only: claimOperatorTx takes it in the recording transaction (operator_tx_hashes' primary key decides
// between two operators at once), so one transaction never settles two withdrawals or intent payouts.
import { AssetRegistry } from "../../core/money/assets.js";
import { normaliseTxHash } from "../../core/money/tx-hash.js";
import { assertNever } from "../../core/shared/assert-never.js";
import { AppError } from "../../core/shared/errors.js";
import { claimOperatorTxHash, operatorTxHashUser } from "../../db/chain/operator-tx-hashes.js";
import type { Db } from "../../db/schema.js";
import type { Deps } from "../deps.js";

const assets = new AssetRegistry();

/** What the operator's transaction must pay (amountMinor in the asset's minor units). */
interface OwedPayout {
  /** For the logs: the payout key or the withdrawal id. */
  id: string;
  network: string;
  asset: string;
  address: string;
  amountMinor: bigint;
}

/** The hash as stored (lower-case), or 400 validation_failed naming txHash when it is no transaction id of the network. */
export function operatorTxHash(owed: OwedPayout, input: string): string {
  const txHash = normaliseTxHash(assets.get(owed.asset, owed.network).addressFormat, input);
  if (txHash === null) throw new AppError("validation_failed", { field: "txHash", message: `Not a transaction hash of the ${owed.network} network` });
  return txHash;
}

/** Refuses (nothing written yet) a hash the chain says does not pay `owed`, or not yet deep enough. */
export async function checkOperatorTx(deps: Deps, owed: OwedPayout, txHash: string): Promise<void> {
  const checker = deps.ports.payoutTxChecker;
  if (!checker) return;
  const req = { txHash, network: owed.network, asset: owed.asset, address: owed.address, amountMinor: owed.amountMinor, decimals: assets.get(owed.asset, owed.network).decimals };
  let result;
  try {
    result = await checker.check(req);
  } catch (err) {
    deps.logger.warn({ payoutId: owed.id, txHash, reason: err instanceof Error ? err.message.split("\n")[0] : String(err) }, "payout tx check: chain node unavailable");
    throw new AppError("payout_tx_check_unavailable");
  }
  switch (result.kind) {
    case "matches":
      return;
    case "not_checkable":
      deps.logger.warn({ payoutId: owed.id, txHash, reason: result.reason }, "payout tx hash recorded without an on-chain check");
      return;
    case "mismatch":
      throw new AppError("payout_tx_mismatch", { field: "txHash", message: `The transaction does not pay this payout: ${result.reason}.` });
    case "unconfirmed":
      throw new AppError("payout_tx_unconfirmed", {
        field: "txHash",
        message: `The transaction has ${result.confirmations} of ${result.required} confirmations; enter the hash again once it has ${result.required}.`,
      });
    default:
      return assertNever(result, "payout tx check");
  }
}

/**
 * In the transaction recording the hash: takes it for `usedBy` ('withdrawal:<id>' or 'payout:<key>'), or
 * 409 tx_hash_already_used when it already settled another payout on the same chain (the caller's
 * transaction then rolls back: nothing written).
 */
export async function claimOperatorTx(trx: Db, owed: OwedPayout, txHash: string, usedBy: string, at: Date): Promise<void> {
  const claimed = await claimOperatorTxHash(trx, { chain: chainOf(owed), txHash, usedBy, at });
  if (!claimed.ok) throw usedElsewhere(claimed.usedBy);
}

/**
 * Before the console's step-up: 409 tx_hash_already_used for a hash another payout holds, so a refused
 * hash uses up no code. claimOperatorTx, in the recording transaction, still decides between two at once.
 */
export async function refuseUsedOperatorTx(db: Db, owed: OwedPayout, txHash: string, usedBy: string): Promise<void> {
  const holder = await operatorTxHashUser(db, chainOf(owed), txHash);
  if (holder !== undefined && holder !== usedBy) throw usedElsewhere(holder);
}

const chainOf = (owed: OwedPayout) => assets.get(owed.asset, owed.network).addressFormat;

const usedElsewhere = (usedBy: string) =>
  new AppError("tx_hash_already_used", { field: "txHash", message: `This transaction was already recorded as the payment of ${usedBy}; one transaction pays one payout.` });
