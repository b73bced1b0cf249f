// Ledger side of closing a pay-in at a given fiat amount (trader confirm, bank feed, support,
// auto-resolve). The hold taken at creation is posted if still pending; a different amount is
// re-priced at the pay-in's original rate and fee rate and the difference booked as an adjustment;
// a pay-in whose hold was voided (disputed after cancel) gets a fresh settlement transfer.
import type { Transaction } from "kysely";
import type { DB } from "../../db/schema.js";
import type { TradingPayinRow } from "../../db/trading/payins.js";
import type { TradingPayinsTable } from "../../db/tables/trading.js";
import type { Updateable } from "kysely";
import type { Deps } from "../deps.js";
import { computeTradingAmounts } from "./amounts.js";
import { bookPayinTransfer, postPayinHold } from "./ledger-postings.js";

/** Columns to set: amounts re-priced for `fiatMinor`, hold marked posted. */
export async function settlePayinLedger(
  deps: Deps,
  trx: Transaction<DB>,
  p: TradingPayinRow,
  fiatMinor: bigint,
): Promise<Updateable<TradingPayinsTable>> {
  const oldCrypto = BigInt(p.crypto_amount_minor);
  const oldFee = BigInt(p.merchant_fee_minor);
  const same = fiatMinor === BigInt(p.fiat_amount_minor);
  const next = same ? { cryptoMinor: oldCrypto, feeMinor: oldFee } : computeTradingAmounts(fiatMinor, p.currency_rate, p.fee_rate);
  const who = { payinId: p.id, traderId: p.trader_id, merchantId: p.merchant_id };
  if (p.hold_state === "pending") {
    await postPayinHold(deps, trx, { ...who, cryptoMinor: oldCrypto, feeMinor: oldFee });
    if (!same) {
      await bookPayinTransfer(deps, trx, {
        ...who,
        kind: "adjust",
        cryptoMinor: next.cryptoMinor - oldCrypto,
        feeMinor: next.feeMinor - oldFee,
      });
    }
  } else if (p.hold_state === "voided") {
    await bookPayinTransfer(deps, trx, { ...who, kind: "settle", cryptoMinor: next.cryptoMinor, feeMinor: next.feeMinor });
  }
  return {
    hold_state: "posted",
    fiat_amount_minor: fiatMinor.toString(),
    crypto_amount_minor: next.cryptoMinor.toString(),
    merchant_fee_minor: next.feeMinor.toString(),
  };
}
