// Reads for the trading dialect: one pay-in (tenant-scoped), the list, usable banks, the balance.
import { AppError } from "../../core/shared/errors.js";
import { realInstant } from "../../core/shared/instant.js";
import { isUuid } from "../../core/shared/uuid.js";
import { countPayinEvents as countEvents, findMerchantPayin, findPayin, listPayinEvents, listPayins, type PayinListFilter, type TradingPayinRow } from "../../db/trading/payins.js";
import { findRequisite, findRequisites } from "../../db/trading/requisites.js";
import { listUsableBanks } from "../../db/trading/traders.js";
import type { Db } from "../../db/schema.js";
import type { Deps } from "../deps.js";
import { computeTradingAmounts, tradingRate } from "./amounts.js";
import { merchantCryptoBalance, TRADER_DEPOSIT_ACCOUNT } from "./ledger-postings.js";
import { loadTradingSettings } from "./merchant-settings.js";
import { renderTradingPayin, type TradingPayinObject } from "./payin-object.js";
import { invalidCursor, pageOf, pageSize } from "../../core/shared/page-size.js";
import type { TradingPayinStatus } from "../../core/trading/payin-status.js";

/** `db` is the transaction when the object is rendered inside one. */
export async function payinObject(deps: Deps, p: TradingPayinRow, db: Db = deps.database.db): Promise<TradingPayinObject> {
  const r = (await findRequisite(db, p.requisite_id))!;
  return renderTradingPayin(p, r, deps.config.publicUrl);
}

/** A page of pay-ins rendered with their requisites read in one query (not one per pay-in). */
export async function payinObjects(deps: Deps, rows: readonly TradingPayinRow[]): Promise<TradingPayinObject[]> {
  const requisites = new Map((await findRequisites(deps.database.db, rows.map((p) => p.requisite_id))).map((r) => [r.id, r]));
  return rows.map((p) => renderTradingPayin(p, requisites.get(p.requisite_id)!, deps.config.publicUrl));
}

export async function getMerchantPayin(deps: Deps, merchantId: string, id: string): Promise<TradingPayinRow> {
  const p = await findMerchantPayin(deps.database.db, merchantId, id);
  if (!p) throw new AppError("not_found", { message: "Pay-in not found" });
  return p;
}

/** The payer page reads by id alone: the id is an unguessable UUID handed to the payer. */
export async function getPayinForPayer(deps: Deps, id: string): Promise<TradingPayinRow> {
  const p = await findPayin(deps.database.db, id);
  if (!p) throw new AppError("not_found", { message: "Pay-in not found" });
  return p;
}

/** How many events the pay-in has: a number that changes whenever the pay-in does (the payer page polls it). */
export async function countPayinEvents(deps: Deps, id: string): Promise<number> {
  return countEvents(deps.database.db, id);
}

const MAX_PAGE = 100;

function encodeCursor(p: TradingPayinRow): string {
  return Buffer.from(`${p.created_at.toISOString()}|${p.id}`).toString("base64url");
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [at, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  if (!realInstant(at, 3) || !id || !isUuid(id)) {
    throw invalidCursor();
  }
  return { createdAt: new Date(at), id };
}

export async function listMerchantPayins(
  deps: Deps,
  f: Omit<PayinListFilter, "before" | "limit"> & { merchantId: string; cursor?: string; limit?: number },
): Promise<{ items: TradingPayinRow[]; nextCursor: string | null }> {
  const limit = pageSize(f.limit, 20, MAX_PAGE);
  const rows = await listPayins(deps.database.db, {
    ...f,
    limit: limit + 1,
    ...(f.cursor ? { before: decodeCursor(f.cursor) } : {}),
  });
  return pageOf(rows, limit, encodeCursor);
}

/**
 * Banks that can take a pay-in now, with the methods that can, in each currency the merchant accepts
 * (the default first) or only in `fiatCurrency`: a requisite must be free and its trader's free
 * deposit must cover the merchant's minimum amount at the currency's current rate.
 */
export async function usableBanks(deps: Deps, merchantId: string, fiatCurrency: string | null) {
  const s = await loadTradingSettings(deps.database.db, merchantId);
  const currencies = fiatCurrency ? s.fiatCurrencies.filter((c) => c === fiatCurrency.toUpperCase()) : [s.fiatCurrency, ...s.fiatCurrencies.filter((c) => c !== s.fiatCurrency)];
  const banks: { code: string; name: string; methods: string[]; fiatCurrency: string }[] = [];
  for (const currency of currencies) {
    const minCryptoMinor = computeTradingAmounts(s.minFiatMinor, await tradingRate(deps, currency), s.feeRate).cryptoMinor;
    const rows = await listUsableBanks(deps.database.db, {
      fiatCurrency: currency,
      banks: s.allowedBanks,
      methods: s.allowedMethods,
      deposit: TRADER_DEPOSIT_ACCOUNT,
      minCryptoMinor,
    });
    const byCode = new Map<string, (typeof banks)[number]>();
    for (const r of rows) {
      const b = byCode.get(r.code) ?? { code: r.code, name: r.name, methods: [], fiatCurrency: r.fiat_currency };
      // Keep the catalogue's method order.
      if (!b.methods.includes(r.method)) b.methods = r.methods.filter((m) => m === r.method || b.methods.includes(m));
      byCode.set(r.code, b);
    }
    banks.push(...byCode.values());
  }
  return banks;
}

export async function merchantAccount(deps: Deps, merchantId: string): Promise<{ balance: string; currency: "usdt" }> {
  return { balance: (await merchantCryptoBalance(deps, merchantId)).toString(), currency: "usdt" };
}

/** One trader's pay-ins, newest first (the trader API's list). */
export async function listTraderPayins(deps: Deps, traderId: string, f: { status?: TradingPayinStatus; limit: number }): Promise<TradingPayinRow[]> {
  return listPayins(deps.database.db, { traderId, ...(f.status ? { status: f.status } : {}), limit: f.limit });
}

/** A pay-in's event history, oldest first (the operator API). */
export async function payinEvents(deps: Deps, payinId: string) {
  return listPayinEvents(deps.database.db, payinId);
}
