// SQL for the console overview's activity figures: the payments of the three flows created in a date
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

/** The payments created in [from, to), each with its fiat and the moment it was paid (null: not paid). */
function createdIn(from: Date, to: Date) {
  return sql`
    SELECT 'trading' AS dialect, p.created_at, p.fiat_currency AS currency, p.fiat_amount_minor AS fiat_minor,
      CASE WHEN p.status = 'closed' THEN p.closed_at END AS paid_at
    FROM trading_payins p WHERE p.created_at >= ${from} AND p.created_at < ${to}
    UNION ALL
    SELECT 'intent', p.created_at, p.fiat_currency, p.fiat_minor,
      (SELECT min(e.at) FROM payment_intent_events e WHERE e.intent_id = p.id AND e.to_status = 5)
    FROM payment_intents p WHERE p.created_at >= ${from} AND p.created_at < ${to}
    UNION ALL
    SELECT 'card', p.created_at, p.fiat, p.fiat_minor,
      (SELECT min(e.at) FROM card_payment_events e WHERE e.payment_id = p.id AND e.to_status = 'succeeded')
    FROM card_payments p WHERE p.created_at >= ${from} AND p.created_at < ${to}`;
}

export async function activityByDay(db: Db, from: Date, to: Date): Promise<ActivityRow[]> {
  const r = await sql<ActivityRow>`
    SELECT dialect, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, currency,
      count(*)::text AS created, count(paid_at)::text AS paid,
      coalesce(sum(fiat_minor) FILTER (WHERE paid_at IS NOT NULL), 0)::text AS paid_minor
    FROM (${createdIn(from, to)}) x
    GROUP BY 1, 2, 3 ORDER BY 2, 1, 3`.execute(db);
  return r.rows;
}

export async function timeToPay(db: Db, from: Date, to: Date): Promise<TimeToPayRow[]> {
  const r = await sql<TimeToPayRow>`
    SELECT dialect, count(paid_at)::text AS paid,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM paid_at - created_at)) FILTER (WHERE paid_at IS NOT NULL)::float8 AS median_seconds
    FROM (${createdIn(from, to)}) x
    GROUP BY 1 ORDER BY 1`.execute(db);
  return r.rows;
}
