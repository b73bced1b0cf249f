// Tables of migration 0003: jobs, webhooks (endpoints, messages, attempts), operator notifications,
// idempotency keys.
import type { ColumnType, Generated } from "kysely";
import type { CreatedAt } from "./foundation.js";

type Nullable<T> = ColumnType<T | null, T | null | undefined, T | null>;
type Defaulted<T> = ColumnType<T, T | undefined, T>;

type JobStatus = "pending" | "running" | "done" | "failed";

interface JobsTable {
  id: string;
  kind: string;
  key: string;
  payload: unknown;
  due_at: Date;
  status: Defaulted<JobStatus>;
  attempts: Defaulted<number>;
  lease_until: Nullable<Date>;
  locked_by: Nullable<string>;
  last_error: Nullable<string>;
  /** Migration 0086_g: jobs of one group are claimed by one sweep batch at a time (the expiry's trader). */
  group_key: Nullable<string>;
  created_at: CreatedAt;
  updated_at: Defaulted<Date>;
}

interface WebhookEndpointsTable {
  id: string;
  merchant_id: string;
  url: string;
  secret_enc: Nullable<string>;
  disabled_at: Nullable<Date>;
  disabled_reason: Nullable<string>;
  created_at: CreatedAt;
  /** 0054: 'callback' (implicit, per dialect URL) or 'merchant' (registered through /merchant/v1). */
  kind: Defaulted<WebhookEndpointKind>;
  /** Merchant endpoints: the event types or patterns it receives; null on callback endpoints. */
  event_types: Nullable<string[]>;
  description: Nullable<string>;
  /** The merchant's own switch (disabled_at is the receiver's 410). */
  enabled: Defaulted<boolean>;
  /** 0061: deleted by the merchant; the row stays for its messages. */
  deleted_at: Nullable<Date>;
}

type WebhookEndpointKind = "callback" | "merchant";

interface WebhookEndpointPreviousSecretsTable {
  endpoint_id: string;
  secret_enc: string;
  expires_at: Date;
}

export type WebhookFormat = "trading" | "intent_ipn" | "envelope";
type WebhookMessageStatus = "pending" | "delivered" | "failed";

interface WebhookMessagesTable {
  /** int8: a string when read. */
  seq: Generated<string>;
  event_id: string;
  merchant_id: string;
  endpoint_id: string;
  format: WebhookFormat;
  url: string;
  ordering_key: string;
  body: Nullable<string>;
  query: Nullable<Record<string, string>>;
  signing_key_ref: unknown;
  status: Defaulted<WebhookMessageStatus>;
  attempts: Defaulted<number>;
  next_attempt_at: Date;
  lease_until: Nullable<Date>;
  locked_by: Nullable<string>;
  last_error: Nullable<string>;
  delivered_at: Nullable<Date>;
  created_at: CreatedAt;
  updated_at: Defaulted<Date>;
}

interface WebhookAttemptsTable {
  id: string;
  message_seq: string;
  attempt: number;
  at: Date;
  url: string;
  status_code: Nullable<number>;
  latency_ms: number;
  response_body: Nullable<string>;
  error: Nullable<string>;
}

interface OperatorNotificationsTable {
  id: string;
  kind: string;
  subject: string;
  message: string;
  details: Defaulted<unknown>;
  created_at: Date;
  read_at: Nullable<Date>;
}

interface IdempotencyKeysTable {
  scope: string;
  key: string;
  fingerprint: string;
  status: Defaulted<"in_flight" | "done">;
  response_status: Nullable<number>;
  response_headers: Nullable<Record<string, string>>;
  response_body: Nullable<string>;
  created_at: Date;
  expires_at: Date;
}

export interface OutboxTables {
  jobs: JobsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_endpoint_previous_secrets: WebhookEndpointPreviousSecretsTable;
  webhook_messages: WebhookMessagesTable;
  webhook_attempts: WebhookAttemptsTable;
  operator_notifications: OperatorNotificationsTable;
  idempotency_keys: IdempotencyKeysTable;
}
