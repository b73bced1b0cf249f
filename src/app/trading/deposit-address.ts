// A trader's own deposit address on the EVM chain (RAMPART_EVM_DEPOSIT_XPUB): derived from the
// configured extended public key at a child index allocated to the trader once, on first request.
import { eip55Address } from "../../core/money/addresses.js";
import { formatMinorTrimmed } from "../../core/money/decimal.js";
import { AppError } from "../../core/shared/errors.js";
import { allocateDepositAddress, findDepositAddress, listTraderDeposits } from "../../db/chain/evm-deposits.js";
import { findTrader } from "../../db/trading/traders.js";
import type { Deps } from "../deps.js";
import { portsForOwner } from "../merchants/test-mode.js";
import { TRADING_CRYPTO } from "./amounts.js";

export interface DepositAddressView {
  /** EIP-55 spelling. */
  address: string;
  chainId: number;
  /** The token the deposit is credited in (its ERC-20 on this chain). */
  asset: string;
  /** Blocks a transfer must be deep before it is credited. */
  confirmations: number;
}

export async function traderDepositAddress(deps: Deps, traderId: string): Promise<DepositAddressView> {
  if (!(await findTrader(deps.database.db, traderId))) throw new AppError("not_found", { message: "Trader not found" });
  // A test trader's address would come from the sandbox chain, which watches no deposits (chainDeposits
  // null in test ports): it gets none (409 deposit_address_unavailable) and is funded by the operator's
  // top-up instead, so real coins can never be sent to an address whose credits land in the test ledger.
  const source = (await portsForOwner(deps, { merchantId: null, traderId })).chainDeposits;
  const config = deps.config.ports.evmDeposits;
  if (!source || !config) throw new AppError("deposit_address_unavailable");
  const found =
    (await findDepositAddress(deps.database.db, source.xpub, traderId)) ??
    (await deps.database.db
      .transaction()
      .execute((trx) => allocateDepositAddress(trx, { xpub: source.xpub, traderId, derive: (i) => source.deriveAddress(i), now: deps.clock.now() })));
  return { address: eip55Address(found.address), chainId: source.chainId, asset: TRADING_CRYPTO.asset, confirmations: config.confirmations };
}

/** The transfers seen to the trader's address, newest first: what was credited, parked or reorged. */
export async function traderChainDeposits(deps: Deps, traderId: string, limit: number) {
  const rows = await listTraderDeposits(deps.database.db, traderId, limit);
  return rows.map((d) => ({
    txHash: d.txHash,
    logIndex: d.logIndex,
    blockNumber: d.blockNumber.toString(),
    asset: d.asset,
    /** In the asset's own decimals, exactly as sent. */
    amount: formatMinorTrimmed(d.amountBase, d.decimals),
    status: d.status,
    parkReason: d.parkReason,
    seenAt: d.createdAt.toISOString(),
  }));
}
