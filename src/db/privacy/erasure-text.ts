// Stored texts that may quote a person's values (webhook and IPN bodies, receivers' answers, status
// events, stored idempotent responses, risk reasons, operator notifications, statement import
// reports): each row holding one of the values is rewritten with core/privacy/erasure.ts scrubText.
// Rows are addressed by ctid, stable while the erasing transaction holds them FOR UPDATE.
import { type RawBuilder, sql } from "kysely";
import type { Db } from "../schema.js";

export interface TextScope {
  merchantIds: readonly string[];
  /** Webhook ordering keys of the person's payments (intent id, pay-in id, card_offer.<id>). */
  orderingKeys: readonly string[];
  intentIds: readonly string[];
  payinIds: readonly string[];
  caseIds: readonly string[];
}

interface Target {
  table: string;
  column: string;
  type: "text" | "jsonb";
  scope: (s: TextScope) => RawBuilder<unknown> | null;
}

const ids = (xs: readonly string[]) => sql.val([...xs]);
const ofMessages = (s: TextScope) =>
  sql`merchant_id = ANY(${ids(s.merchantIds)}::uuid[]) AND ordering_key = ANY(${ids(s.orderingKeys)}::text[])`;

/** Where each class of stored text lives and which of its rows can concern the person. */
export const TEXT_TARGETS: Record<string, Target> = {
  webhook_bodies: { table: "webhook_messages", column: "body", type: "text", scope: (s) => (s.orderingKeys.length ? ofMessages(s) : null) },
  webhook_queries: { table: "webhook_messages", column: "query", type: "jsonb", scope: (s) => (s.orderingKeys.length ? ofMessages(s) : null) },
  webhook_responses: {
    table: "webhook_attempts",
    column: "response_body",
    type: "text",
    scope: (s) => (s.orderingKeys.length ? sql`message_seq IN (SELECT seq FROM webhook_messages WHERE ${ofMessages(s)})` : null),
  },
  intent_events: { table: "payment_intent_events", column: "data", type: "jsonb", scope: (s) => (s.intentIds.length ? sql`intent_id = ANY(${ids(s.intentIds)}::text[])` : null) },
  payin_events: { table: "trading_payin_events", column: "data", type: "jsonb", scope: (s) => (s.payinIds.length ? sql`payin_id = ANY(${ids(s.payinIds)}::uuid[])` : null) },
  kyc_events: { table: "kyc_case_events", column: "reason", type: "text", scope: (s) => (s.caseIds.length ? sql`case_id = ANY(${ids(s.caseIds)}::text[])` : null) },
  // The rest cannot be tied to the person by a key: any row quoting one of the values.
  idempotent_responses: { table: "idempotency_keys", column: "response_body", type: "text", scope: () => sql`true` },
  risk_reasons: { table: "risk_decisions", column: "reasons", type: "jsonb", scope: (s) => (s.merchantIds.length ? sql`merchant_id = ANY(${ids(s.merchantIds)}::uuid[])` : null) },
  notification_messages: { table: "operator_notifications", column: "message", type: "text", scope: () => sql`true` },
  notification_details: { table: "operator_notifications", column: "details", type: "jsonb", scope: () => sql`true` },
  statement_reports: { table: "bank_statement_imports", column: "lines", type: "jsonb", scope: () => sql`true` },
};

/** The rows of `target` in scope whose text holds one of `needles` (locked), as text. */
export async function textsHolding(trx: Db, target: Target, scope: TextScope, needles: readonly string[]): Promise<{ ctid: string; text: string }[]> {
  const where = target.scope(scope);
  if (where === null || needles.length === 0) return [];
  const col = sql.ref(target.column);
  const r = await sql<{ ctid: string; text: string }>`
    SELECT ctid::text AS ctid, ${col}::text AS text FROM ${sql.table(target.table)}
    WHERE ${where} AND ${col} IS NOT NULL
      AND EXISTS (SELECT 1 FROM unnest(${ids(needles)}::text[]) AS v WHERE strpos(${col}::text, v) > 0)
    FOR UPDATE`.execute(trx);
  return r.rows;
}

export async function rewriteText(trx: Db, target: Target, ctid: string, text: string): Promise<void> {
  const value = target.type === "jsonb" ? sql`${text}::jsonb` : sql`${text}`;
  await sql`UPDATE ${sql.table(target.table)} SET ${sql.ref(target.column)} = ${value} WHERE ctid = ${ctid}::tid`.execute(trx);
}
