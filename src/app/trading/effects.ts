// Everything the trading use cases ask of the ledger, the outbox and the pricing area, in one place:
// the account names, transfer ids and job keys of a trading pay-in. All ledger and outbox calls run in
// the caller's transaction.
import type { Transaction } from "kysely";
import type { DB } from "../../db/schema.js";
import type { TradingPayinRow } from "../../db/trading/payins.js";
import type { Deps } from "../deps.js";
import { type AccountBalance, type AccountRef, getBalance, postPending, postTransfer, voidPending } from "../ledger/ledger.js";
import { enqueueJob, enqueueWebhook } from "../outbox/outbox.js";
import { parseDecimal } from "../../core/money/decimal.js";
import { tradingAmounts } from "../../core/pricing/trading-amounts.js";

/** The dialect settles in USDT on TRON; the wire spells it in lower case. */
export const TRADING_CRYPTO = { asset: "USDT", wireCurrency: "usdt", wireNetwork: "trc20", decimals: 6 } as const;

/**
 * The wire's fiat amounts are 2-decimal strings ("5000.00"), so minor units are cents
 * (docs/contract-trading.md#amounts-and-rounding).
 */
export const TRADING_FIAT_SCALE = 2;

/** Fiat per 1 USDT from the rate port (cached, never older than maxRateAgeSeconds), as decimal text. */
export async function tradingRate(deps: Deps, fiatCurrency: string): Promise<string> {
  return (await deps.ports.rates.getRate(fiatCurrency, TRADING_CRYPTO.asset)).rate;
}

/** The dialect's CEIL rule (money core): crypto and merchant fee in micro-USDT. */
export function computeTradingAmounts(fiatMinor: bigint, rate: string, feeRate: string): { cryptoMinor: bigint; feeMinor: bigint } {
  const a = tradingAmounts(fiatMinor, TRADING_FIAT_SCALE, parseDecimal(rate), TRADING_CRYPTO.decimals, parseDecimal(feeRate));
  return { cryptoMinor: a.cryptoMinor, feeMinor: a.merchantFeeMinor };
}

export const EXPIRE_JOB = "trading.payin_expire";
export const AUTO_RESOLVE_JOB = "trading.dispute_auto_resolve";

const traderDeposit = (traderId: string): AccountRef => ({ owner: `trader:${traderId}`, asset: TRADING_CRYPTO.asset, purpose: "trader_deposit" });
const merchantBalance = (merchantId: string): AccountRef => ({ owner: `merchant:${merchantId}`, asset: TRADING_CRYPTO.asset, purpose: "merchant_balance" });
const feeRevenue: AccountRef = { owner: "platform", asset: TRADING_CRYPTO.asset, purpose: "fee_revenue" };

interface PayinParties {
  payinId: string;
  traderId: string;
  merchantId: string;
}

/** Trader deposit → merchant balance (net of fee) + fee revenue; zero legs are left out. */
function entries(p: PayinParties, cryptoMinor: bigint, feeMinor: bigint) {
  return [
    { account: traderDeposit(p.traderId), amountMinor: -cryptoMinor },
    { account: merchantBalance(p.merchantId), amountMinor: cryptoMinor - feeMinor },
    { account: feeRevenue, amountMinor: feeMinor },
  ].filter((e) => e.amountMinor !== 0n);
}

export const holdTransferId = (payinId: string) => `trading:${payinId}:hold`;

/** The trader's crypto, held (pending) at creation. Throws AppError insufficient_funds. */
export async function holdPayinCrypto(deps: Deps, trx: Transaction<DB>, p: PayinParties & { cryptoMinor: bigint; feeMinor: bigint }): Promise<void> {
  await postTransfer(
    trx,
    {
      id: holdTransferId(p.payinId),
      code: "trading_payin_hold",
      ref: { type: "trading_payin", id: p.payinId },
      entries: entries(p, p.cryptoMinor, p.feeMinor),
      pending: {},
    },
    deps.clock.now(),
  );
}

export async function postPayinHold(deps: Deps, trx: Transaction<DB>, payinId: string): Promise<void> {
  await postPending(trx, holdTransferId(payinId), deps.clock.now());
}

export async function voidPayinHold(deps: Deps, trx: Transaction<DB>, payinId: string): Promise<void> {
  await voidPending(trx, holdTransferId(payinId), deps.clock.now());
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
  const legs = entries(p, p.cryptoMinor, p.feeMinor);
  if (legs.length < 2) return;
  await postTransfer(
    trx,
    { id: `trading:${p.payinId}:${p.kind}`, code: `trading_payin_${p.kind}`, ref: { type: "trading_payin", id: p.payinId }, entries: legs },
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

export async function traderFreeDeposit(deps: Deps, traderId: string): Promise<bigint> {
  return (await getBalance(deps.database.db, traderDeposit(traderId))).available;
}

/** Signed webhook (format "trading": body = the pay-in object, HMAC keyed with the creating API key). */
export async function enqueuePayinWebhook(deps: Deps, trx: Transaction<DB>, w: { payin: TradingPayinRow; url: string; body: string }): Promise<void> {
  await enqueueWebhook(trx, {
    merchantId: w.payin.merchant_id,
    format: "trading",
    url: w.url,
    eventId: deps.ids.uuid(),
    orderingKey: w.payin.id,
    body: w.body,
    signingKeyRef: { kind: "api_key", apiKeyId: w.payin.api_key_id },
  });
}

export async function scheduleExpiry(trx: Transaction<DB>, payinId: string, dueAt: Date): Promise<void> {
  await enqueueJob(trx, EXPIRE_JOB, { payinId }, { key: `${EXPIRE_JOB}:${payinId}`, dueAt });
}

export async function scheduleAutoResolve(trx: Transaction<DB>, payinId: string, openedAt: Date, dueAt: Date): Promise<void> {
  await enqueueJob(
    trx,
    AUTO_RESOLVE_JOB,
    { payinId, disputeOpenedAt: openedAt.toISOString() },
    { key: `${AUTO_RESOLVE_JOB}:${payinId}:${openedAt.getTime()}`, dueAt },
  );
}

/** Funds a trader's deposit from the platform (sandbox seed, tests, operator top-up); idempotent by id. */
export async function fundTraderDeposit(deps: Deps, traderId: string, amountMinor: bigint, transferId: string): Promise<void> {
  await deps.database.db.transaction().execute((trx) =>
    postTransfer(
      trx,
      {
        id: transferId,
        code: "trader_deposit_funding",
        ref: { type: "trader", id: traderId },
        entries: [
          { account: { owner: "platform", asset: TRADING_CRYPTO.asset, purpose: "platform_funding" }, amountMinor: -amountMinor },
          { account: traderDeposit(traderId), amountMinor },
        ],
      },
      deps.clock.now(),
    ),
  );
}
