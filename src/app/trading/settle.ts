// Ledger side of closing a pay-in at a given fiat amount (trader confirm, bank feed, support,
// auto-resolve). The hold taken at creation is posted if still pending; a different amount is
// re-priced at the pay-in's original rate and fee rate and the difference booked as an adjustment;
// a pay-in whose hold was voided (disputed after cancel) gets a fresh settlement transfer.
//
// Lock order: the pay-in's status write comes first, the ledger second. The status write's triggers
// take the requisite's counter rows (day volumes 0050/0080_e, open count 0078_p); the ledger takes
// the trader's balance rows. The expiry sweep and a cancel take them in that order too, so paying
// a pay-in while a sweep voids another of the same trader's holds cannot deadlock.
import type { Transaction } from "kysely";
import type { DB } from "../../db/schema.js";
import type { TradingPayinRow } from "../../db/trading/payins.js";
import type { TradingPayinsTable } from "../../db/tables/trading.js";
import type { Updateable } from "kysely";
import type { Deps } from "../deps.js";
import { computeTradingAmounts } from "./amounts.js";
import { bookPayinTransfer, postPayinHold } from "./ledger-postings.js";

/**
 * Closes a locked pay-in at `fiatMinor`: `writeStatus` gets the columns to set (amounts re-priced for
 * `fiatMinor`, hold marked posted) and writes the status; then the ledger is posted. Returns what
 * `writeStatus` returned.
 */
export async function settlePayin<T>(
  deps: Deps,
  trx: Transaction<DB>,
  p: TradingPayinRow,
  fiatMinor: bigint,
  writeStatus: (set: Updateable<TradingPayinsTable>) => Promise<T>,
): Promise<T> {
  const oldCrypto = BigInt(p.crypto_amount_minor);
  const oldFee = BigInt(p.merchant_fee_minor);
  const same = fiatMinor === BigInt(p.fiat_amount_minor);
  const next = same ? { cryptoMinor: oldCrypto, feeMinor: oldFee } : computeTradingAmounts(fiatMinor, p.currency_rate, p.fee_rate);
  const written = await writeStatus({
    hold_state: "posted",
    fiat_amount_minor: fiatMinor.toString(),
    crypto_amount_minor: next.cryptoMinor.toString(),
    merchant_fee_minor: next.feeMinor.toString(),
  });
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
  return written;
}
