// SQL for one payment's page in the operator console: what the database holds about it beside its own
// row, each read through an index (events by payment, webhooks by ordering key, ledger transfers by
// reference, bank transfers by payment, the risk decision by (flow, payment id)).
import { sql } from "kysely";
import type { Db } from "../schema.js";
import type { PaymentDialect } from "./payment-search.js";

/** A status change of any flow; `reason` is the flow's own text (card, KYC) and `data` its details (trading, intents). */
export interface StatusEventRow {
  at: Date;
  from_status: string | null;
  to_status: string;
  actor: string;
  actor_id: string | null;
  reason: string | null;
  data: Record<string, unknown>;
}

export async function statusEvents(db: Db, dialect: PaymentDialect, id: string): Promise<StatusEventRow[]> {
  switch (dialect) {
    case "trading":
      return (
        await sql<StatusEventRow>`SELECT at, from_status, to_status, actor, actor_id, NULL::text AS reason, data
          FROM trading_payin_events WHERE payin_id = ${id}::uuid ORDER BY id`.execute(db)
      ).rows;
    case "intent":
      return (
        await sql<StatusEventRow>`SELECT at, from_status::text AS from_status, to_status::text AS to_status, actor, NULL::text AS actor_id,
            NULL::text AS reason, data
          FROM payment_intent_events WHERE intent_id = ${id} ORDER BY id`.execute(db)
      ).rows;
    case "card":
      return (
        await sql<StatusEventRow>`SELECT at, from_status, to_status, actor, NULL::text AS actor_id, reason, '{}'::jsonb AS data
          FROM card_payment_events WHERE payment_id = ${id}::uuid ORDER BY id`.execute(db)
      ).rows;
  }
}

/** The payment's webhooks / IPNs (never their bodies: they carry payer data), each with its attempts as `tries`. */
export async function webhooksOf(db: Db, orderingKey: string) {
  const messages = await db
    .selectFrom("webhook_messages")
    .select(["seq", "event_id", "format", "url", "status", "attempts", "next_attempt_at", "last_error", "delivered_at", "created_at"])
    .where("ordering_key", "=", orderingKey)
    .orderBy("seq")
    .execute();
  const attempts = messages.length
    ? await db
        .selectFrom("webhook_attempts")
        .select(["message_seq", "attempt", "at", "status_code", "latency_ms", "error"])
        .where(
          "message_seq",
          "in",
          messages.map((m) => m.seq),
        )
        .orderBy("message_seq")
        .orderBy("attempt")
        .execute()
    : [];
  return messages.map((m) => ({ ...m, tries: attempts.filter((a) => a.message_seq === m.seq) }));
}

/** Ledger transfers booked for the payment or for one of its bank transfers, oldest first, with a hold's resolution. */
export async function ledgerTransfersOf(db: Db, refs: { type: string; id: string }[]) {
  if (refs.length === 0) return [];
  return db
    .selectFrom("ledger_transfers as t")
    .leftJoin("ledger_transfer_resolutions as r", "r.transfer_id", "t.id")
    .select(["t.id", "t.code", "t.pending", "t.reversal_of", "t.created_at", "r.kind as resolution", "r.at as resolved_at"])
    .where((eb) => eb.or(refs.map((ref) => eb.and([eb("t.ref_type", "=", ref.type), eb("t.ref_id", "=", ref.id)]))))
    .orderBy("t.created_at")
    .orderBy("t.id")
    .execute();
}

export async function bankTransfersOf(db: Db, dialect: PaymentDialect, id: string) {
  if (dialect === "card") return [];
  return db
    .selectFrom("bank_transfers")
    .select(["id", "external_id", "feed", "amount_minor", "currency", "reference", "received_at", "outcome", "reason"])
    .where(dialect === "trading" ? "trading_payin_id" : "intent_id", "=", id)
    .orderBy("received_at")
    .execute();
}

export async function riskDecisionOf(db: Db, dialect: PaymentDialect, id: string) {
  return db
    .selectFrom("risk_decisions")
    .select(["decision", "score", "reasons", "review_status", "reviewed_by", "reviewed_at", "created_at"])
    .where("flow", "=", dialect)
    .where("payment_id", "=", id)
    .executeTakeFirst();
}

/** What the page needs of the flow's own row beyond the explorer's list columns. */
export async function flowDetails(db: Db, dialect: PaymentDialect, id: string) {
  switch (dialect) {
    case "trading":
      return db.selectFrom("trading_payins").select(["bank_code", "method", "requisite_id", "expires_at", "closed_at", "dispute_merchant_fiat_minor"]).where("id", "=", id).executeTakeFirst();
    case "intent":
      return db
        .selectFrom("payment_intents as p")
        .leftJoin("intent_payouts as o", "o.intent_id", "p.id")
        .select(["p.kyc_case_id", "p.payment_method", "p.reference", "p.tx_hash", "p.window_ends_at", "o.status as payout_status", "o.tx_hash as payout_tx_hash"])
        .where("p.id", "=", id)
        .executeTakeFirst();
    case "card":
      return db
        .selectFrom("card_payments as p")
        .innerJoin("card_customers as c", "c.id", "p.customer_id")
        .select(["p.offer_id", "p.masked_pan", "p.provider_ref", "p.completed_at", "c.kyc_level", "c.kyc1_case_id as kyc_case_id"])
        .where("p.id", "=", id)
        .executeTakeFirst();
  }
}

/** Who an operator id names: a staff person's e-mail or an operator key's label (for actors shown on the page). */
export async function operatorNames(db: Db, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = (
    await sql<{ id: string; name: string }>`SELECT id::text AS id, email AS name FROM operator_users WHERE id::text = ANY(${ids}::text[])
      UNION ALL SELECT id, CASE WHEN label = '' THEN 'operator key ' || id ELSE 'operator key ' || label END FROM operator_keys WHERE id = ANY(${ids}::text[])`.execute(db)
  ).rows;
  return new Map(rows.map((r) => [r.id, r.name]));
}
