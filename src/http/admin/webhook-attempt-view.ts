// One delivery attempt as the operator's and the merchant's delivery logs show it (same row, same shape).
import type { Selectable } from "kysely";
import { Type } from "typebox";
import type { OutboxTables } from "../../db/tables/outbox.js";

export const WebhookAttempt = Type.Object({
  attempt: Type.Integer(),
  at: Type.String(),
  url: Type.String(),
  statusCode: Type.Union([Type.Integer(), Type.Null()], { description: "the receiver's HTTP status; null when no answer came (see error)" }),
  latencyMs: Type.Integer(),
  responseBody: Type.Union([Type.String(), Type.Null()], { description: "the receiver's answer, first 4096 characters" }),
  error: Type.Union([Type.String(), Type.Null()]),
});

export function attemptView(a: Selectable<OutboxTables["webhook_attempts"]>) {
  return { attempt: a.attempt, at: a.at.toISOString(), url: a.url, statusCode: a.status_code, latencyMs: a.latency_ms, responseBody: a.response_body, error: a.error };
}
