// What a trading pay-in posts to the ledger: the account names and transfer ids of the trader's held
// crypto, its settlement and dispute adjustments, and the balances read back. Postings run in the
// caller's transaction.
import type { CompiledQuery, QueryResult, Transaction } from "kysely";
import type { DB } from "../../db/schema.js";
import type { Deps } from "../deps.js";
import { type AccountBalance, type AccountRef, getBalance, openAccounts, postPending, postTransfer, postTransfersLast, type TransferInput, voidPending } from "../ledger/ledger.js";
import { platformAccount } from "../../core/ledger/accounts.js";
import { platformOwnerFor, platformOwnerForTrader } from "../merchants/test-mode.js";
import { TRADING_CRYPTO } from "./amounts.js";

/** A trader's USDT deposit: the account the bank list's free-deposit check reads too. */
export const TRADER_DEPOSIT_ACCOUNT = { ownerPrefix: "trader:", asset: TRADING_CRYPTO.asset, purpose: "trader_deposit" } as const;
export const traderDeposit = (traderId: string): AccountRef => ({
  owner: `${TRADER_DEPOSIT_ACCOUNT.ownerPrefix}${traderId}`,
  asset: TRADER_DEPOSIT_ACCOUNT.asset,
  purpose: TRADER_DEPOSIT_ACCOUNT.purpose,
});
const merchantBalance = (merchantId: string): AccountRef => ({ owner: `merchant:${merchantId}`, asset: TRADING_CRYPTO.asset, purpose: "merchant_balance" });
/** The fee's account: the test platform's for a test twin's pay-in (test-mode.ts platformOwnerFor). */
const feeRevenue = async (deps: Deps, trx: Transaction<DB>, merchantId: string): Promise<AccountRef> =>
  platformAccount(await platformOwnerFor(deps, merchantId, trx), TRADING_CRYPTO.asset, "fee_revenue");
/**
 * The crypto a trader has committed to its open pay-ins. The hold at creation moves the deposit here
 * and touches no account but the trader's own: the merchant's balance and fee_revenue, which every
 * create would share, are credited at settlement from here (issue 16: a create that locked them ran
 * at 2 % of the machine).
 */
const traderEscrow = (traderId: string): AccountRef => ({ owner: `${TRADER_DEPOSIT_ACCOUNT.ownerPrefix}${traderId}`, asset: TRADING_CRYPTO.asset, purpose: "trader_escrow" });

interface PayinParties {
  payinId: string;
  traderId: string;
  merchantId: string;
}

/** `from` → merchant balance (net of fee) + fee revenue; zero legs are left out. */
async function entries(deps: Deps, trx: Transaction<DB>, p: PayinParties, cryptoMinor: bigint, feeMinor: bigint, from: AccountRef = traderDeposit(p.traderId)) {
  return [
    { account: from, amountMinor: -cryptoMinor },
    { account: merchantBalance(p.merchantId), amountMinor: cryptoMinor - feeMinor },
    { account: await feeRevenue(deps, trx, p.merchantId), amountMinor: feeMinor },
  ].filter((e) => e.amountMinor !== 0n);
}

const holdTransferId = (payinId: string) => `trading:${payinId}:hold`;
/** The code of a hold into the trader's escrow; older holds (trading_payin_hold) credited the merchant directly. */
const ESCROW_HOLD = "trading_payin_escrow_hold";

/** The hold of a pay-in's crypto: the trader's deposit into its escrow, pending. */
const holdTransfer = (p: PayinParties & { cryptoMinor: bigint }): TransferInput => ({
  id: holdTransferId(p.payinId),
  code: ESCROW_HOLD,
  ref: { type: "trading_payin", id: p.payinId },
  entries: [
    { account: traderDeposit(p.traderId), amountMinor: -p.cryptoMinor },
    { account: traderEscrow(p.traderId), amountMinor: p.cryptoMinor },
  ],
  pending: {},
});

/**
 * Opens the trader's deposit and escrow accounts where they are not open yet (in the ledger's one order
 * of account creation), when its deposit is credited: a create batch's holds open no account
 * (create-batch.ts), so a funded trader without an escrow would send its first batch of creates to the
 * single path.
 */
export async function openTraderAccounts(trx: Transaction<DB>, traderId: string): Promise<void> {
  await openAccounts(trx, [traderDeposit(traderId), traderEscrow(traderId)]);
}

/** The trader's crypto, held (pending) at creation into its escrow. Throws AppError insufficient_funds. */
export async function holdPayinCrypto(deps: Deps, trx: Transaction<DB>, p: PayinParties & { cryptoMinor: bigint }): Promise<void> {
  await postTransfer(trx, holdTransfer(p), deps.clock.now());
}

/**
 * The holds of a batch of creates (create-batch.ts), the last write of its transaction, in one
 * statement that locks the traders' deposit and escrow rows only for itself and the commit, sent in one
 * round trip after `before` (the pay-ins' insert) and, with `commit`, before the transaction's COMMIT;
 * returns the results of `before`. Fails whole (ledger.ts transfersNotWritten) when a deposit is short
 * or an account missing: nothing held, the transaction aborted (ledger.ts postTransfersLast).
 */
export async function holdPayinsCrypto(
  deps: Deps,
  trx: Transaction<DB>,
  holds: readonly (PayinParties & { cryptoMinor: bigint })[],
  last: { before: readonly CompiledQuery[]; commit: boolean },
): Promise<QueryResult<unknown>[]> {
  return postTransfersLast(trx, holds.map(holdTransfer), deps.clock.now(), last);
}

/**
 * Posts the hold and, for an escrow hold, credits the merchant (net of fee) and the fee from the
 * escrow: together what the hold used to book in one transfer. Idempotent by transfer ids.
 */
export async function postPayinHold(deps: Deps, trx: Transaction<DB>, p: PayinParties & { cryptoMinor: bigint; feeMinor: bigint }): Promise<void> {
  const now = deps.clock.now();
  const hold = await postPending(trx, holdTransferId(p.payinId), now);
  if (hold.code !== ESCROW_HOLD) return;
  await postTransfer(
    trx,
    {
      id: `trading:${p.payinId}:credit`,
      code: "trading_payin_credit",
      ref: { type: "trading_payin", id: p.payinId },
      entries: await entries(deps, trx, p, p.cryptoMinor, p.feeMinor, traderEscrow(p.traderId)),
    },
    now,
  );
}

export async function voidPayinHold(deps: Deps, trx: Transaction<DB>, payinId: string): Promise<void> {
  await voidPayinHolds(deps, trx, [payinId]);
}

/** The holds of several pay-ins, voided in one ledger pass (a batch of expiries). */
export async function voidPayinHolds(deps: Deps, trx: Transaction<DB>, payinIds: readonly string[]): Promise<void> {
  if (payinIds.length === 0) return;
  await voidPending(trx, payinIds.map(holdTransferId), deps.clock.now());
}

/**
 * A posted transfer for a dispute outcome: "settle" books a pay-in whose hold was voided, "adjust"
 * books the difference of a re-priced one (negative amounts run the other way).
 */
export async function bookPayinTransfer(
  deps: Deps,
  trx: Transaction<DB>,
  p: PayinParties & { kind: "settle" | "adjust"; cryptoMinor: bigint; feeMinor: bigint },
): Promise<void> {
  const legs = await entries(deps, trx, p, p.cryptoMinor, p.feeMinor);
  if (legs.length < 2) return;
  await postTransfer(
    trx,
    { id: `trading:${p.payinId}:${p.kind}`, code: `trading_payin_${p.kind}`, ref: { type: "trading_payin", id: p.payinId }, entries: legs },
    deps.clock.now(),
  );
}

/**
 * An operator's refund of a settled pay-in (app/payments/refund-payment.ts): the pay-in's credit
 * reversed at its final amounts, the merchant's net amount and the fee back to the trader's deposit,
 * whose fiat goes back to the payer. Once per pay-in (the transfer id); insufficient_funds when the
 * merchant's balance no longer holds the amount.
 */
export async function bookPayinRefund(deps: Deps, trx: Transaction<DB>, p: PayinParties & { cryptoMinor: bigint; feeMinor: bigint }): Promise<void> {
  await postTransfer(
    trx,
    { id: `trading:${p.payinId}:refund`, code: "trading_payin_refund", ref: { type: "trading_payin", id: p.payinId }, entries: await entries(deps, trx, p, -p.cryptoMinor, -p.feeMinor) },
    deps.clock.now(),
  );
}

export async function merchantCryptoBalance(deps: Deps, merchantId: string): Promise<bigint> {
  return (await getBalance(deps.database.db, merchantBalance(merchantId))).available;
}

/** The trader's deposit: `available` is free to back new pay-ins, `pendingDebits` is held by open ones. */
export async function traderDepositBalance(deps: Deps, traderId: string): Promise<AccountBalance> {
  return getBalance(deps.database.db, traderDeposit(traderId));
}


/**
 * Funds a trader's deposit from the platform (the test platform for a test trader: platformOwnerForTrader)
 * (sandbox seed, tests, operator sandbox top-up);
 * idempotent by id: `created` is false when that id was booked before with the same amount.
 */
export async function fundTraderDeposit(deps: Deps, traderId: string, amountMinor: bigint, transferId: string): Promise<{ created: boolean }> {
  return deps.database.db.transaction().execute(async (trx) => {
    await openTraderAccounts(trx, traderId);
    return postTransfer(
      trx,
      {
        id: transferId,
        code: "trader_deposit_funding",
        ref: { type: "trader", id: traderId },
        entries: [
          { account: platformAccount(await platformOwnerForTrader(deps, traderId, trx), TRADING_CRYPTO.asset, "platform_funding"), amountMinor: -amountMinor },
          { account: traderDeposit(traderId), amountMinor },
        ],
      },
      deps.clock.now(),
    );
  });
}
