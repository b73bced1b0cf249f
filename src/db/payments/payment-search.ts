// SQL for the operator's payments explorer: one list over the three flows' tables (trading pay-ins,
// payment intents, card payments), newest first. Each flow is one query paged on (created_at, id)
// through its own index; the caller merges the three pages. A search term becomes an `id IN (...)`
// over a union of exact, indexed lookups (never an OR across columns or a LIKE, which would read the
// whole table): migration 0037_b adds the indexes.
import { type RawBuilder, sql } from "kysely";
import type { Db } from "../schema.js";

export type PaymentDialect = "trading" | "intent" | "card";

/** At one created_at, rows sort by dialect in this order (descending), then by id descending. */
export const DIALECT_RANK: Record<PaymentDialect, number> = { card: 0, intent: 1, trading: 2 };

/** Where the previous page ended (its last row). */
export interface PaymentCursor {
  at: string; // created_at, ISO with microseconds (UTC)
  dialect: PaymentDialect;
  id: string;
}

/** What a search term can mean; the caller says which readings apply. */
export interface SearchTerm {
  text: string;
  uuid: string | null; // the term read as a uuid (Rampart's id of a pay-in or card payment)
  offerId: string | null; // the term read as a card offer id (digits)
  compact: string; // without spaces and dashes: a requisite's card, account or phone number
  /** The term read as an amount: one minor-unit value per currency scale, with the currencies it applies to. */
  amounts: { minor: string; currencies: string[] }[];
}

/** One flow's filter, already checked and translated to that flow's columns. */
export interface FlowFilter {
  term: SearchTerm | null;
  status: string | number | null;
  merchantId: string | null;
  storeId: string | null;
  traderId: string | null;
  from: Date | null;
  to: Date | null;
  risk: "allow" | "review" | "block" | "none" | null;
  after: PaymentCursor | null;
  limit: number;
}

export interface PaymentListRow {
  dialect: PaymentDialect;
  id: string;
  merchant_id: string;
  merchant_name: string;
  status: string;
  fiat_minor: string;
  fiat_currency: string;
  crypto_minor: string;
  crypto_currency: string;
  crypto_network: string;
  external_id: string | null;
  payer: string | null;
  trader_id: string | null;
  store_id: string | null;
  risk: string | null;
  created_at: Date;
  sort_at: string;
}

const SORT_AT = (col: RawBuilder<unknown>) => sql<string>`to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** The keyset condition for one flow: rows strictly after the cursor in the merged order. */
function afterCursor(dialect: PaymentDialect, c: PaymentCursor, createdAt: RawBuilder<unknown>, id: RawBuilder<unknown>, idType: "uuid" | "text"): RawBuilder<unknown> {
  const at = sql`${c.at}::timestamptz`;
  const mine = DIALECT_RANK[dialect];
  const theirs = DIALECT_RANK[c.dialect];
  if (mine < theirs) return sql`${createdAt} <= ${at}`;
  if (mine > theirs) return sql`${createdAt} < ${at}`;
  return idType === "uuid" ? sql`(${createdAt}, ${id}) < (${at}, ${c.id}::uuid)` : sql`(${createdAt}, ${id}) < (${at}, ${c.id})`;
}

function amountArms(table: string, column: string, currencyColumn: string, t: SearchTerm): RawBuilder<unknown>[] {
  return t.amounts.map(
    (a) => sql`SELECT id FROM ${sql.table(table)} WHERE ${sql.ref(column)} = ${a.minor}::bigint AND ${sql.ref(currencyColumn)} = ANY(${a.currencies}::text[])`,
  );
}

const unionOf = (arms: RawBuilder<unknown>[]) => sql.join(arms, sql` UNION ALL `);

function tradingTermIds(t: SearchTerm): RawBuilder<unknown> {
  const arms: RawBuilder<unknown>[] = [
    sql`SELECT id FROM trading_payins WHERE external_transaction_id = ${t.text}`,
    sql`SELECT trading_payin_id AS id FROM bank_transfers WHERE (external_id = ${t.text} OR id = ${t.text}) AND trading_payin_id IS NOT NULL`,
    sql`SELECT p.id FROM trading_requisites r JOIN trading_payins p ON p.requisite_id = r.id WHERE r.number = ${t.compact} OR r.sbp_phone = ${t.compact}`,
    ...amountArms("trading_payins", "fiat_amount_minor", "fiat_currency", t),
  ];
  if (t.uuid) arms.unshift(sql`SELECT ${t.uuid}::uuid AS id`);
  return unionOf(arms);
}

function intentTermIds(t: SearchTerm): RawBuilder<unknown> {
  return unionOf([
    sql`SELECT id FROM payment_intents WHERE id = ${t.text}`,
    sql`SELECT id FROM payment_intents WHERE order_number = ${t.text}`,
    sql`SELECT id FROM payment_intents WHERE reference = ${t.text}`,
    sql`SELECT id FROM payment_intents WHERE tx_hash = ${t.text}`,
    sql`SELECT id FROM payment_intents WHERE lower(email) = lower(${t.text})`,
    sql`SELECT intent_id AS id FROM bank_transfers WHERE (external_id = ${t.text} OR id = ${t.text}) AND intent_id IS NOT NULL`,
    sql`SELECT intent_id AS id FROM intent_payouts WHERE tx_hash = ${t.text}`,
    sql`SELECT ip.intent_id AS id FROM evm_payout_txs x JOIN intent_payouts ip ON ip.payout_key = x.payout_key WHERE x.tx_hash = ${t.text}`,
    ...amountArms("payment_intents", "fiat_minor", "fiat_currency", t),
  ]);
}

function cardTermIds(t: SearchTerm): RawBuilder<unknown> {
  const arms: RawBuilder<unknown>[] = [
    sql`SELECT id FROM card_payments WHERE provider_ref = ${t.text}`,
    sql`SELECT p.id FROM card_customers c JOIN card_payments p ON p.customer_id = c.id WHERE lower(c.email) = lower(${t.text}) AND c.email IS NOT NULL`,
    ...amountArms("card_payments", "fiat_minor", "fiat", t),
  ];
  if (t.uuid) arms.unshift(sql`SELECT ${t.uuid}::uuid AS id`);
  if (t.offerId) arms.push(sql`SELECT id FROM card_payments WHERE offer_id = ${t.offerId}::bigint`);
  return unionOf(arms);
}

function riskCondition(f: FlowFilter): RawBuilder<unknown> | null {
  if (f.risk === null) return null;
  return f.risk === "none" ? sql`r.id IS NULL` : sql`r.decision = ${f.risk}`;
}

const where = (conds: (RawBuilder<unknown> | null)[]) => {
  const present = conds.filter((c): c is RawBuilder<unknown> => c !== null);
  return present.length === 0 ? sql`` : sql`WHERE ${sql.join(present, sql` AND `)}`;
};

/** Common conditions on `p.created_at` and `p.id`. */
function pageConditions(dialect: PaymentDialect, f: FlowFilter, idType: "uuid" | "text"): (RawBuilder<unknown> | null)[] {
  const createdAt = sql`p.created_at`;
  const id = sql`p.id`;
  return [
    f.from ? sql`p.created_at >= ${f.from}` : null,
    f.to ? sql`p.created_at < ${f.to}` : null,
    f.merchantId ? sql`p.merchant_id = ${f.merchantId}::uuid` : null,
    f.after ? afterCursor(dialect, f.after, createdAt, id, idType) : null,
    riskCondition(f),
  ];
}

/** The page query of one flow (exported so a test can EXPLAIN exactly what runs). */
export function flowPageQuery(dialect: PaymentDialect, f: FlowFilter): RawBuilder<PaymentListRow> {
  switch (dialect) {
    case "trading":
      return sql<PaymentListRow>`SELECT 'trading' AS dialect, p.id::text AS id, p.merchant_id::text AS merchant_id, m.name AS merchant_name,
  p.status, p.fiat_amount_minor::text AS fiat_minor, p.fiat_currency, p.crypto_amount_minor::text AS crypto_minor,
  p.crypto_currency, p.crypto_network, p.external_transaction_id AS external_id, NULL::text AS payer, p.trader_id,
  NULL::text AS store_id, r.decision AS risk, p.created_at, ${SORT_AT(sql`p.created_at`)} AS sort_at
FROM trading_payins p JOIN merchants m ON m.id = p.merchant_id
LEFT JOIN risk_decisions r ON r.flow = 'trading' AND r.payment_id = p.id::text
${where([
  ...pageConditions(dialect, f, "uuid"),
  f.term ? sql`p.id IN (${tradingTermIds(f.term)})` : null,
  f.status !== null ? sql`p.status = ${String(f.status)}` : null,
  f.traderId ? sql`p.trader_id = ${f.traderId}` : null,
])}
ORDER BY p.created_at DESC, p.id DESC LIMIT ${f.limit}`;
    case "intent":
      return sql<PaymentListRow>`SELECT 'intent' AS dialect, p.id, p.merchant_id::text AS merchant_id, m.name AS merchant_name,
  p.status::text AS status, p.fiat_minor::text AS fiat_minor, p.fiat_currency, p.crypto_minor::text AS crypto_minor,
  p.crypto_symbol AS crypto_currency, p.network AS crypto_network, p.order_number AS external_id, p.email AS payer,
  NULL::text AS trader_id, p.store_id, r.decision AS risk, p.created_at, ${SORT_AT(sql`p.created_at`)} AS sort_at
FROM payment_intents p JOIN merchants m ON m.id = p.merchant_id
LEFT JOIN risk_decisions r ON r.flow = 'intent' AND r.payment_id = p.id
${where([
  ...pageConditions(dialect, f, "text"),
  f.term ? sql`p.id IN (${intentTermIds(f.term)})` : null,
  f.status !== null ? sql`p.status = ${Number(f.status)}` : null,
  f.storeId ? sql`p.store_id = ${f.storeId}` : null,
])}
ORDER BY p.created_at DESC, p.id DESC LIMIT ${f.limit}`;
    case "card":
      return sql<PaymentListRow>`SELECT 'card' AS dialect, p.id::text AS id, p.merchant_id::text AS merchant_id, m.name AS merchant_name,
  p.status, p.fiat_minor::text AS fiat_minor, p.fiat AS fiat_currency, p.crypto_minor::text AS crypto_minor,
  p.crypto AS crypto_currency, p.crypto_network, p.offer_id::text AS external_id, c.email AS payer,
  NULL::text AS trader_id, NULL::text AS store_id, r.decision AS risk, p.created_at, ${SORT_AT(sql`p.created_at`)} AS sort_at
FROM card_payments p JOIN merchants m ON m.id = p.merchant_id JOIN card_customers c ON c.id = p.customer_id
LEFT JOIN risk_decisions r ON r.flow = 'card' AND r.payment_id = p.id::text
${where([...pageConditions(dialect, f, "uuid"), f.term ? sql`p.id IN (${cardTermIds(f.term)})` : null, f.status !== null ? sql`p.status = ${String(f.status)}` : null])}
ORDER BY p.created_at DESC, p.id DESC LIMIT ${f.limit}`;
  }
}

export async function listFlowPage(db: Db, dialect: PaymentDialect, f: FlowFilter): Promise<PaymentListRow[]> {
  return (await flowPageQuery(dialect, f).execute(db)).rows;
}
