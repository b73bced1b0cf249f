// The operator's payments explorer (issue 18): one newest-first list over trading pay-ins, payment
// intents and card payments, searched by any id, the payer's e-mail, a requisite or an amount, and
// filtered by flow, status, merchant, store, trader, date range and risk decision. Operators see every
// tenant. Pages are keyset pages (a cursor naming the last row), so a page never shifts when new
// payments arrive; the CSV export walks the same pages.
import { fiatCodesWithScale } from "../../core/money/currencies.js";
import { INTENT_STATUS_NAMES, type IntentStatus } from "../../core/intents/intent-status.js";
import { TRADING_MACHINE } from "../../core/trading/payin-status.js";
import { CARD_PAYMENT_MACHINE } from "../../core/card/payment-status.js";
import { AppError } from "../../core/shared/errors.js";
import { realInstant, storableDate } from "../../core/shared/instant.js";
import { pageOf, pageSize } from "../../core/shared/page-size.js";
import { isUuid } from "../../core/shared/uuid.js";
import {
  DIALECT_RANK,
  type FlowFilter,
  listFlowPage,
  type PaymentCursor,
  type PaymentDialect,
  type PaymentListRow,
  type SearchTerm,
} from "../../db/payments/payment-search.js";
import type { Deps } from "../deps.js";

const PAYMENT_DIALECTS: readonly PaymentDialect[] = ["trading", "intent", "card"];
const RISK_FILTERS = ["allow", "review", "block", "none"] as const;
export const MAX_PAYMENT_PAGE = 200;

/** The filter as the operator sent it (query string); every field optional. */
export interface PaymentQuery {
  q?: string | undefined;
  dialect?: string | undefined;
  status?: string | undefined;
  merchant?: string | undefined;
  store?: string | undefined;
  trader?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  risk?: string | undefined;
  cursor?: string | undefined;
  limit?: number | undefined;
}

export interface PaymentListItem {
  dialect: PaymentDialect;
  id: string;
  merchantId: string;
  merchantName: string;
  status: string;
  fiatMinor: string;
  fiatCurrency: string;
  cryptoMinor: string;
  cryptoCurrency: string;
  cryptoNetwork: string;
  externalId: string | null;
  payer: string | null;
  traderId: string | null;
  storeId: string | null;
  risk: string | null;
  createdAt: Date;
}

const bad = (field: string, message: string) => new AppError("validation_failed", { field, message });

/** Status names per flow (an intent's numeric status is named as its contract page names it). */
const INTENT_BY_NAME = new Map(Object.entries(INTENT_STATUS_NAMES).map(([code, name]) => [name, Number(code) as IntentStatus]));
function statusFor(dialect: PaymentDialect, status: string): string | number | null {
  switch (dialect) {
    case "trading":
      return TRADING_MACHINE.isStatus(status) ? status : null;
    case "intent":
      return INTENT_BY_NAME.get(status) ?? null;
    case "card":
      return CARD_PAYMENT_MACHINE.isStatus(status) ? status : null;
  }
}

const statusName = (dialect: PaymentDialect, status: string): string =>
  dialect === "intent" ? (INTENT_STATUS_NAMES[Number(status) as IntentStatus] ?? status) : status;

const AMOUNT = /^(\d{1,15})(?:[.,](\d{1,3}))?$/;
const AMOUNT_SCALES = [0, 2, 3];

/** Every reading of a search term: an id of any kind, an e-mail, a requisite number, an amount. */
function searchTerm(q: string): SearchTerm {
  const text = q.trim();
  if (text.length === 0 || text.length > 200) throw bad("q", "Search for 1 to 200 characters");
  const m = AMOUNT.exec(text);
  const amounts = m
    ? AMOUNT_SCALES.filter((s) => (m[2]?.length ?? 0) <= s).map((s) => ({
        minor: (BigInt(m[1]!) * 10n ** BigInt(s) + BigInt((m[2] ?? "").padEnd(s, "0") || "0")).toString(),
        currencies: fiatCodesWithScale(s),
      }))
    : [];
  return {
    text,
    uuid: isUuid(text) ? text.toLowerCase() : null,
    offerId: /^\d{1,18}$/.test(text) ? text : null,
    compact: text.replace(/[\s-]/g, ""),
    amounts,
  };
}

/** A filter date: a day (YYYY-MM-DD, UTC midnight) or a full ISO timestamp; 400 naming `field` otherwise (the audit log filters with it too). */
export function dateParam(field: string, v: string | undefined): Date | null {
  if (v === undefined || v === "") return null;
  // A day (YYYY-MM-DD, UTC midnight) or a full ISO timestamp with its zone.
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(v)) throw bad(field, `${field} must be a date (YYYY-MM-DD) or an ISO timestamp`);
  // Date parses 2026-02-30 as 2 March: the day must come back unchanged.
  const day = v.slice(0, 10);
  if (Number.isNaN(Date.parse(`${day}T00:00:00Z`)) || new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) !== day) throw bad(field, `${field} is not a real date`);
  const d = new Date(v.length === 10 ? `${day}T00:00:00Z` : v);
  if (!storableDate(d)) throw bad(field, `${field} is not a real date (years 0001 to 9999)`);
  return d;
}

function encodeCursor(c: PaymentCursor): string {
  return Buffer.from(JSON.stringify([c.at, c.dialect, c.id])).toString("base64url");
}

function decodeCursor(v: string): PaymentCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(v, "base64url").toString("utf8"));
  } catch {
    throw bad("cursor", "Invalid cursor");
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) throw bad("cursor", "Invalid cursor");
  const [at, dialect, id] = parsed as unknown[];
  if (!realInstant(at, 6)) throw bad("cursor", "Invalid cursor");
  if (typeof dialect !== "string" || !(PAYMENT_DIALECTS as readonly string[]).includes(dialect)) throw bad("cursor", "Invalid cursor");
  // Ids are printable ASCII (uuids, intent ids): a control character could not match, and NUL fails in SQL.
  if (typeof id !== "string" || !/^[\x21-\x7e]{1,64}$/.test(id)) throw bad("cursor", "Invalid cursor");
  if (dialect !== "intent" && !isUuid(id)) throw bad("cursor", "Invalid cursor");
  return { at, dialect: dialect as PaymentDialect, id };
}

/** A checked filter: which flows to read and each flow's own filter (without cursor and limit). */
interface PaymentFilter {
  flows: { dialect: PaymentDialect; filter: Omit<FlowFilter, "after" | "limit"> }[];
}

/** Checks the operator's query; every bad field is a 400 validation_failed naming it. */
export function parsePaymentFilter(query: PaymentQuery): PaymentFilter {
  let dialects: PaymentDialect[] = [...PAYMENT_DIALECTS];
  if (query.dialect) {
    if (!(PAYMENT_DIALECTS as readonly string[]).includes(query.dialect)) throw bad("dialect", `dialect is one of ${PAYMENT_DIALECTS.join(", ")}`);
    dialects = [query.dialect as PaymentDialect];
  }
  const merchantId = query.merchant ? query.merchant.toLowerCase() : null;
  if (merchantId !== null && !isUuid(merchantId)) throw bad("merchant", "merchant is a merchant id (uuid)");
  const storeId = query.store || null;
  if (storeId !== null && storeId.length > 64) throw bad("store", "store is a store id");
  const traderId = query.trader || null;
  if (traderId !== null && traderId.length > 64) throw bad("trader", "trader is a trader id");
  if (query.risk && !(RISK_FILTERS as readonly string[]).includes(query.risk)) throw bad("risk", `risk is one of ${RISK_FILTERS.join(", ")}`);
  const risk = (query.risk || null) as FlowFilter["risk"];
  const from = dateParam("from", query.from);
  const to = dateParam("to", query.to);
  if (from && to && from.getTime() >= to.getTime()) throw bad("to", "to must be after from");
  const term = query.q !== undefined && query.q !== "" ? searchTerm(query.q) : null;

  // Only intents belong to a store; only trading pay-ins to a trader.
  if (storeId) dialects = dialects.filter((d) => d === "intent");
  if (traderId) dialects = dialects.filter((d) => d === "trading");
  const flows = dialects.flatMap((dialect) => {
    const status = query.status ? statusFor(dialect, query.status) : null;
    if (query.status && status === null) return [];
    return [{ dialect, filter: { term, status, merchantId, storeId, traderId, from, to, risk } }];
  });
  if (query.status && flows.length === 0 && dialects.length > 0) throw bad("status", `No ${query.dialect ?? "payment"} status is called ${query.status}`);
  return { flows };
}

function itemOf(r: PaymentListRow): PaymentListItem {
  return {
    dialect: r.dialect,
    id: r.id,
    merchantId: r.merchant_id,
    merchantName: r.merchant_name,
    status: statusName(r.dialect, r.status),
    fiatMinor: r.fiat_minor,
    fiatCurrency: r.fiat_currency,
    cryptoMinor: r.crypto_minor,
    cryptoCurrency: r.crypto_currency,
    cryptoNetwork: r.crypto_network,
    externalId: r.external_id,
    payer: r.payer,
    traderId: r.trader_id,
    storeId: r.store_id,
    risk: r.risk,
    createdAt: r.created_at,
  };
}

/** Newer first; at one instant trading before intent before card (each flow's rows keep its own order). */
const newerFirst = (a: PaymentListRow, b: PaymentListRow) =>
  a.sort_at === b.sort_at ? DIALECT_RANK[b.dialect] - DIALECT_RANK[a.dialect] : a.sort_at < b.sort_at ? 1 : -1;

/** One page of the merged list: each flow's next limit + 1 rows, merged, cut to the page. */
async function readPage(deps: Deps, filter: PaymentFilter, after: PaymentCursor | null, limit: number) {
  const pages: PaymentListRow[][] = [];
  for (const flow of filter.flows) pages.push(await listFlowPage(deps.database.db, flow.dialect, { ...flow.filter, after, limit: limit + 1 }));
  // A stable sort keeps each flow's own order for rows at the same instant (its ids, in the
  // database's collation), which is the order its next page continues from.
  const merged = pages.flat().sort(newerFirst).slice(0, limit + 1);
  return pageOf(merged, limit, (last) => encodeCursor({ at: last.sort_at, dialect: last.dialect, id: last.id }));
}

export async function searchPayments(deps: Deps, query: PaymentQuery): Promise<{ items: PaymentListItem[]; nextCursor: string | null }> {
  const filter = parsePaymentFilter(query);
  const after = query.cursor ? decodeCursor(query.cursor) : null;
  const page = await readPage(deps, filter, after, pageSize(query.limit, 50, MAX_PAYMENT_PAGE));
  return { items: page.items.map(itemOf), nextCursor: page.nextCursor };
}

const EXPORT_BATCH = 1000;

/**
 * Every payment matching the filter, in list order, read one keyset batch at a time: the caller
 * pulls the next batch only when it has written the last one, so memory stays at one batch.
 */
export function exportPayments(deps: Deps, query: PaymentQuery): AsyncGenerator<PaymentListItem[]> {
  // Checked now, so a bad filter is a 400 before the download starts.
  const filter = parsePaymentFilter(query);
  const start = query.cursor ? decodeCursor(query.cursor) : null;
  return batches(deps, filter, start);
}

async function* batches(deps: Deps, filter: PaymentFilter, start: PaymentCursor | null): AsyncGenerator<PaymentListItem[]> {
  let after = start;
  for (;;) {
    const page = await readPage(deps, filter, after, EXPORT_BATCH);
    if (page.items.length > 0) yield page.items.map(itemOf);
    if (page.nextCursor === null) return;
    const last = page.items[page.items.length - 1]!;
    after = { at: last.sort_at, dialect: last.dialect, id: last.id };
  }
}
