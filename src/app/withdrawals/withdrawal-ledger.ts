// What a withdrawal books, in the caller's transaction:
//
//   hold      (on request):            the owner's funds −(amount + fee) → withdrawal hold; the funds are a
//                                      merchant's balance or a trader's deposit, whose available part is
//                                      what open pay-ins do not hold (their holds are pending debits)
//   paid      (on confirmed):          withdrawal hold → chain clearing (amount left the hot wallet) + fee revenue
//   returned  (on failed / rejected):  the hold transfer reversed: the balance gets amount + fee back
//   network   (on confirmed, or failed after being mined: reverted, or an operator's cancel mined, when
//             the chain reports it): the gas, platform network fees → chain clearing
//
// chain_clearing is the platform's on-chain side (trader deposits arriving are booked out of it), so
// crypto leaving through a withdrawal is booked into it.
import type { Transaction } from "kysely";
import { platformAccount } from "../../core/ledger/accounts.js";
import type { DB } from "../../db/schema.js";
import type { WithdrawalRow } from "../../db/withdrawals/withdrawals.js";
import { type NetworkFee, postNetworkFee } from "../chain/network-fee.js";
import type { Deps } from "../deps.js";
import { type AccountRef, postTransfer, reverseTransfer } from "../ledger/ledger.js";
import { platformOwnerFor, platformOwnerForTrader } from "../merchants/test-mode.js";
import { ownerOfWithdrawal } from "./withdrawal-view.js";

/** The account the withdrawal comes out of: a merchant's balance, a trader's deposit. */
function funds(w: WithdrawalRow): AccountRef {
  const o = ownerOfWithdrawal(w);
  return { owner: `${o.kind}:${o.id}`, asset: w.asset, purpose: o.kind === "merchant" ? "merchant_balance" : "trader_deposit" };
}
function withdrawalHold(w: WithdrawalRow): AccountRef {
  const o = ownerOfWithdrawal(w);
  return { owner: `${o.kind}:${o.id}`, asset: w.asset, purpose: "withdrawal_hold" };
}
/** A withdrawal's platform accounts: a test twin's or test trader's (sandbox money only) moves the test ones. */
const platformOwnerOf = (deps: Deps, trx: Transaction<DB>, w: WithdrawalRow) =>
  w.trader_id !== null ? platformOwnerForTrader(deps, w.trader_id, trx) : platformOwnerFor(deps, w.merchant_id, trx);

async function platformOf(deps: Deps, trx: Transaction<DB>, w: WithdrawalRow) {
  const owner = await platformOwnerOf(deps, trx, w);
  return (asset: string, purpose: AccountRef["purpose"]) => platformAccount(owner, asset, purpose);
}
const ref = (w: WithdrawalRow) => ({ type: "withdrawal", id: w.id });
const holdId = (id: string) => `withdrawal:${id}:hold`;

/** Out of the owner's available funds; throws AppError insufficient_funds (balance rows locked FOR UPDATE). */
export async function holdWithdrawal(deps: Deps, trx: Transaction<DB>, w: WithdrawalRow): Promise<void> {
  const total = BigInt(w.amount_minor) + BigInt(w.fee_minor);
  await postTransfer(
    trx,
    {
      id: holdId(w.id),
      code: "withdrawal_hold",
      ref: ref(w),
      entries: [
        { account: funds(w), amountMinor: -total },
        { account: withdrawalHold(w), amountMinor: total },
      ],
    },
    deps.clock.now(),
  );
}

/** The payout is confirmed: the amount has left on chain, the fee is revenue. */
export async function settleWithdrawal(deps: Deps, trx: Transaction<DB>, w: WithdrawalRow): Promise<void> {
  const amount = BigInt(w.amount_minor);
  const fee = BigInt(w.fee_minor);
  const platform = await platformOf(deps, trx, w);
  await postTransfer(
    trx,
    {
      id: `withdrawal:${w.id}:paid`,
      code: "withdrawal_paid",
      ref: ref(w),
      entries: [
        { account: withdrawalHold(w), amountMinor: -(amount + fee) },
        { account: platform(w.asset, "chain_clearing"), amountMinor: amount },
        { account: platform(w.asset, "fee_revenue"), amountMinor: fee },
      ].filter((e) => e.amountMinor !== 0n),
    },
    deps.clock.now(),
  );
}

/** Failed or rejected: amount and fee go back where they came from. */
export async function returnWithdrawal(deps: Deps, trx: Transaction<DB>, w: WithdrawalRow): Promise<void> {
  await reverseTransfer(trx, { id: `withdrawal:${w.id}:returned`, originalId: holdId(w.id), code: "withdrawal_returned" }, deps.clock.now());
}

/** The transaction fee the chain reported, in its own coin (ETH, in wei), paid by the platform. */
export async function bookNetworkFee(deps: Deps, trx: Transaction<DB>, w: WithdrawalRow, fee: NetworkFee): Promise<void> {
  await postNetworkFee(deps, trx, { id: `withdrawal:${w.id}:network_fee`, code: "withdrawal_network_fee", ref: ref(w) }, fee, await platformOwnerOf(deps, trx, w));
}
