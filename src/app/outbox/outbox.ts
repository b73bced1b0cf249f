// The outbox: side effects are rows written in the caller's transaction (enqueueJob, enqueueWebhook)
// and carried out by the worker after commit. Job handlers are registered per kind by modules under
// src/jobs/ (imported at startup through src/jobs/handlers.ts).
import { randomUUID } from "node:crypto";
import type { Transaction } from "kysely";
import type { DB } from "../../db/schema.js";
import type { Db } from "../../db/schema.js";
import { insertJob } from "../../db/outbox/jobs.js";
import type { Deps } from "../deps.js";

export type JobOutcome = { kind: "done" } | { kind: "retry"; at: Date; error: string } | { kind: "failed"; error: string };

export interface JobToRun {
  id: string;
  key: string;
  payload: unknown;
  /** How many times this job has been claimed, this run included (1 on the first run). */
  attempts: number;
}

export type JobHandler = (deps: Deps, job: JobToRun) => Promise<JobOutcome>;

const handlers = new Map<string, JobHandler>();

/** One handler per kind; registering a kind twice is a programming error. */
export function registerJobHandler(kind: string, handler: JobHandler): void {
  if (handlers.has(kind)) throw new Error(`job handler already registered: ${kind}`);
  handlers.set(kind, handler);
}

export function jobHandler(kind: string): JobHandler | undefined {
  return handlers.get(kind);
}

export interface JobInput {
  kind: string;
  /** Unique across all jobs: enqueueing the same key again is a no-op. */
  key: string;
  payload: unknown;
  /** When the job becomes due; now (the transaction's clock time) when absent. */
  dueAt?: Date;
}

/** "Due at once" under any clock, including a test clock set in the past. */
const DUE_NOW = new Date(0);

/** Inserts a job in the caller's transaction; without dueAt it is due at once. */
export async function enqueueJob(trx: Transaction<DB> | Db, job: JobInput): Promise<void> {
  await insertJob(trx, { id: randomUUID(), kind: job.kind, key: job.key, payload: job.payload, dueAt: job.dueAt ?? DUE_NOW });
}

export { enqueueWebhook, type SigningKeyRef, type WebhookInput } from "./enqueue-webhook.js";
