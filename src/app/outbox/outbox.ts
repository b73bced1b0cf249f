// The outbox: side effects are rows written in the caller's transaction (enqueueJob, enqueueWebhook)
// and carried out by the worker after commit. JobPayloads names every job kind with the payload its
// handler reads; the handler table is built in src/main/job-handlers.ts with one handler per kind.
// A payload of the wrong shape, an unknown kind or a kind without a handler does not compile.
import { randomUUID } from "node:crypto";
import type { Transaction } from "kysely";
import type { DB } from "../../db/schema.js";
import type { Db } from "../../db/schema.js";
import { insertJobs, type NewJobRow } from "../../db/outbox/jobs.js";
import type { Deps } from "../deps.js";

export interface JobPayloads {
  "intent.timeout": { intentId: string };
  "intent.payout": { intentId: string };
  "intent.payout_poll": { intentId: string };
  "kyc.vendor_check": { caseId: string };
  "card.payment_status_sync": { paymentId: string };
  "card.challenge_timeout": { paymentId: string };
  "trading.payin_expire": { payinId: string };
  /** disputeOpenedAt: ISO time of the dispute the job was scheduled for (a later dispute is not touched). */
  "trading.dispute_auto_resolve": { payinId: string; disputeOpenedAt: string };
  /** previous: the amounts (integer strings) the ledger holds, before the recalculation. */
  "trading.settle_recalculated": { payinId: string; previous: { fiatMinor: string; cryptoMinor: string; feeMinor: string } };
  /** Stored files (KYC documents, receipts) whose rows were erased or purged; deleting again is a no-op. */
  "files.delete": { keys: string[] };
  /** An approved withdrawal's payout (app/withdrawals/withdrawal-payout.ts) and its confirmation polls. */
  "withdrawal.payout": { withdrawalId: string };
  "withdrawal.payout_poll": { withdrawalId: string };
  /** An operator's cancel of a sent withdrawal's payout (the chain's cancel, once). */
  "withdrawal.payout_cancel": { withdrawalId: string };
}

export type JobKind = keyof JobPayloads;

/** forever: a retry past MAX_JOB_ATTEMPTS stays a retry (retriedForever). */
export type JobOutcome = { kind: "done" } | { kind: "retry"; at: Date; error: string; forever?: true } | { kind: "failed"; error: string };

interface JobToRun<P> {
  id: string;
  key: string;
  payload: P;
  /** How many times this job has been claimed, this run included (1 on the first run). */
  attempts: number;
}

export type JobHandler<P> = (deps: Deps, job: JobToRun<P>) => Promise<JobOutcome>;

/** A set-based handler for many due jobs of one kind at once: an outcome per job id. */
export type JobBatchHandler<P> = (deps: Deps, jobs: JobToRun<P>[]) => Promise<Map<string, JobOutcome>>;

/** One handler for each kind of a payload map. */
export type JobHandlerTable<M> = { readonly [K in keyof M]: JobHandler<M[K]> };

/** The worker's table: a handler for every kind in JobPayloads. */
export type JobHandlers = JobHandlerTable<JobPayloads>;

interface JobOptions {
  /** Unique across all jobs: enqueueing the same key again is a no-op. */
  key: string;
  /** When the job becomes due; now (the transaction's clock time) when absent. */
  dueAt?: Date;
}

/** "Due at once" under any clock, including a test clock set in the past. */
const DUE_NOW = new Date(0);

/** Inserts a job in the caller's transaction; without dueAt it is due at once. */
export async function enqueueJob<K extends JobKind>(trx: Transaction<DB> | Db, kind: K, payload: JobPayloads[K], opts: JobOptions): Promise<void> {
  await enqueueJobs(trx, [{ kind, payload, ...opts } as NewJob]);
}

/** A job to enqueue: its kind with that kind's payload. */
export type NewJob = { [K in JobKind]: { kind: K; payload: JobPayloads[K] } & JobOptions }[JobKind];

/** Jobs in one insert, each as enqueueJob would. */
export async function enqueueJobs(trx: Transaction<DB> | Db, jobs: readonly NewJob[]): Promise<void> {
  await insertJobs(trx, newJobRows(jobs));
}

/** The rows enqueueJobs inserts, for a caller that writes them within a statement of its own (intents' creation). */
export function newJobRows(jobs: readonly NewJob[]): NewJobRow[] {
  return jobs.map((j) => ({ id: randomUUID(), kind: j.kind, key: j.key, payload: j.payload, dueAt: j.dueAt ?? DUE_NOW }));
}

export { enqueueWebhook, enqueueWebhooks, type SigningKeyRef, type WebhookInput } from "./enqueue-webhook.js";
