// The operator's top-up of a trader's deposit: platform funding → trader deposit, one posted ledger
// transfer whose id is the client's reference, so a retry books nothing twice. In live mode a live
// trader's deposit is real crypto and comes in on chain (deposit addresses), never from an operator's
// word; a test trader's (test mode, issue 19) is play money drawn from the test platform's funding
// (fundTraderDeposit picks the owner by the trader's flag), so it is topped up in either mode.
import { formatMinorTrimmed, parseAmount } from "../../core/money/decimal.js";
import { AppError } from "../../core/shared/errors.js";
import { findTrader } from "../../db/trading/traders.js";
import type { Deps } from "../deps.js";
import { TRADING_CRYPTO } from "./amounts.js";
import { fundTraderDeposit, traderDepositBalance } from "./ledger-postings.js";

/** One top-up at most: keeps every balance far inside bigint columns. */
const MAX_TOP_UP_MINOR = 1_000_000_000n * 10n ** BigInt(TRADING_CRYPTO.decimals);

interface TopUpInput {
  traderId: string;
  /** USDT in major units ("1000.5"). */
  amount: number | string;
  /** The client's reference of this top-up: the same one again is the same top-up. */
  reference: string;
}

interface TopUpResult {
  transferId: string;
  traderId: string;
  asset: string;
  amount: string;
  /** True when this reference was booked before (nothing new was written). */
  duplicate: boolean;
  depositAvailable: string;
  depositHeld: string;
}

export async function topUpTraderDeposit(deps: Deps, input: TopUpInput): Promise<TopUpResult> {
  const trader = await findTrader(deps.database.db, input.traderId);
  if (!trader) throw new AppError("not_found", { message: "Trader not found" });
  // The flag is written once, at creation, so reading it outside the posting's transaction is safe.
  if (deps.config.mode !== "sandbox" && !trader.test) throw new AppError("deposit_via_chain");
  const amountMinor = parseAmount(input.amount, TRADING_CRYPTO.decimals, { field: "amount" });
  if (amountMinor <= 0n) throw new AppError("invalid_amount", { field: "amount", message: "The amount must be positive." });
  if (amountMinor > MAX_TOP_UP_MINOR) {
    throw new AppError("amount_above_maximum", { field: "amount", message: `At most ${formatMinorTrimmed(MAX_TOP_UP_MINOR, TRADING_CRYPTO.decimals)} USDT per top-up.` });
  }
  const transferId = `trader_top_up:${input.traderId}:${input.reference}`;
  let created: boolean;
  try {
    ({ created } = await fundTraderDeposit(deps, input.traderId, amountMinor, transferId));
  } catch (err) {
    if (err instanceof AppError && err.code === "transfer_id_conflict") {
      throw new AppError("conflict", { field: "reference", message: "This reference was already used for a top-up of another amount." });
    }
    throw err;
  }
  const balance = await traderDepositBalance(deps, input.traderId);
  return {
    transferId,
    traderId: input.traderId,
    asset: TRADING_CRYPTO.asset,
    amount: formatMinorTrimmed(amountMinor, TRADING_CRYPTO.decimals),
    duplicate: !created,
    depositAvailable: formatMinorTrimmed(balance.available, TRADING_CRYPTO.decimals),
    depositHeld: formatMinorTrimmed(balance.pendingDebits, TRADING_CRYPTO.decimals),
  };
}
