// SQL for the overview's activity figures (the console's over every merchant, the portal's over one): the payments of the three flows created in a date
// range, per UTC day, flow and fiat currency (how many were created, how many of those were paid, and
// the fiat they paid), and the median time from create to paid per flow. A payment counts on the day it
// was created (a cohort: "of Monday's payments, how many were paid"), so a day's conversion never
// exceeds 100 %. Each flow reads its created_at index; "paid" is the flow's own paid moment:
//   trading: closed (closed_at);  intent: the first move to 5;  card: the first move to succeeded.
import { sql } from "kysely";
import type { Db } from "../schema.js";
import type { PaymentDialect } from "./payment-search.js";

interface ActivityRow {
  dialect: PaymentDialect;
  day: string; // YYYY-MM-DD (UTC)
  currency: string;
  created: string;
  paid: string;
  paid_minor: string;
}

interface TimeToPayRow {
  dialect: PaymentDialect;
  paid: string;
  median_seconds: number | null;
}

/** The payments created in [from, to) (of one merchant when `merchantId` is given), each with its fiat and the moment it was paid (null: not paid). */
function createdIn(from: Date, to: Date, merchantId: string | null) {
  // The console's (every merchant) excludes test twins' payments: test money is no live volume. The
  // portal's (one merchant) shows whichever tenant it is asked for, the twin in its test mode.
  const mine =
    merchantId === null
      ? sql`AND NOT EXISTS (SELECT 1 FROM merchants m WHERE m.id = p.merchant_id AND m.test_of IS NOT NULL)`
      : sql`AND p.merchant_id = ${merchantId}::uuid`;
  return sql`
    SELECT 'trading' AS dialect, p.created_at, p.fiat_currency AS currency, p.fiat_amount_minor AS fiat_minor,
      CASE WHEN p.status = 'closed' THEN p.closed_at END AS paid_at
    FROM trading_payins p WHERE p.created_at >= ${from} AND p.created_at < ${to} ${mine}
    UNION ALL
    SELECT 'intent', p.created_at, p.fiat_currency, p.fiat_minor,
      (SELECT min(e.at) FROM payment_intent_events e WHERE e.intent_id = p.id AND e.to_status = 5)
    FROM payment_intents p WHERE p.created_at >= ${from} AND p.created_at < ${to} ${mine}
    UNION ALL
    SELECT 'card', p.created_at, p.fiat, p.fiat_minor,
      (SELECT min(e.at) FROM card_payment_events e WHERE e.payment_id = p.id AND e.to_status = 'succeeded')
    FROM card_payments p WHERE p.created_at >= ${from} AND p.created_at < ${to} ${mine}`;
}

/**
 * Both figures from one pass over the union: GROUPING SETS give a row per (flow, day, currency) with
 * the counts and the fiat paid, and a row per flow (GROUPING(day, currency) ≠ 0) with the median time to pay.
 * The union reads three tables' created_at ranges and their paid events, so reading it once halves
 * what the overview costs the database (it was read twice, once per figure).
 */
export async function overviewActivity(db: Db, from: Date, to: Date, merchantId: string | null): Promise<{ activity: ActivityRow[]; timeToPay: TimeToPayRow[] }> {
  const r = await sql<ActivityRow & { per_flow: number; median_seconds: number | null }>`
    SELECT dialect, day, currency, count(*)::text AS created, count(paid_at)::text AS paid,
      coalesce(sum(fiat_minor) FILTER (WHERE paid_at IS NOT NULL), 0)::text AS paid_minor,
      GROUPING(day, currency) AS per_flow,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM paid_at - created_at)) FILTER (WHERE paid_at IS NOT NULL)::float8 AS median_seconds
    FROM (SELECT x.*, to_char(x.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day FROM (${createdIn(from, to, merchantId)}) x) y
    GROUP BY GROUPING SETS ((dialect, day, currency), (dialect))
    ORDER BY 2, 1, 3`.execute(db);
  const activity: ActivityRow[] = [];
  const timeToPay: TimeToPayRow[] = [];
  for (const { per_flow, median_seconds, ...row } of r.rows) {
    if (Number(per_flow) === 0) activity.push(row);
    else timeToPay.push({ dialect: row.dialect, paid: row.paid, median_seconds });
  }
  return { activity, timeToPay };
}
