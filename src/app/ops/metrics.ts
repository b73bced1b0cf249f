// The application's Prometheus metrics, all in one place: use cases, jobs and the HTTP plugin call the
// small functions below and never prom-client itself. Names carry the `rampart_` prefix and a unit;
// labels are bounded (dialect, status, outcome, job kind, webhook format, bank and currency from the
// catalogue): never a merchant, payment or endpoint id. The registry belongs to the process's Deps
// (not prom-client's global one), so several test harnesses can live in one process.
//
// Events are counted after their transaction commits (afterCommit): a rolled-back payment counts
// nothing. The figures derived from the database are gauges read on scrape (ops-gauges.ts).
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { afterCommit } from "../../db/commit-hooks.js";

type PaymentDialect = "trading" | "intent" | "card";
/** How a payment ended: paid, failed (declined, refused, cancelled by a decision), expired (its window ran out), canceled (by the merchant or payer). */
export type PaymentOutcome = "paid" | "failed" | "expired" | "canceled";
/** A job's attempt: done, retry (back to pending with a backoff) or dead (failed for good). */
type JobOutcome = "done" | "retry" | "dead";
/** A webhook/IPN attempt: delivered, retry, failed for good, or the receiver said 410 and its endpoint was disabled. */
type DeliveryOutcome = "delivered" | "retry" | "failed" | "endpoint_disabled";

export interface OpsMetrics {
  readonly registry: Registry;
  /** A payment was created; `db` is the creating transaction. */
  paymentCreated(db: object, dialect: PaymentDialect): void;
  /** A payment reached an outcome in `db`'s transaction; a paid one records its time since creation. */
  paymentFinished(db: object, dialect: PaymentDialect, outcome: PaymentOutcome, createdAt: Date, at: Date): void;
  jobsClaimed(kinds: readonly string[]): void;
  jobAttempted(kind: string, outcome: JobOutcome): void;
  webhookAttempted(format: string, outcome: DeliveryOutcome): void;
  httpRequest(method: string, route: string, statusCode: number, seconds: number): void;
  /** The retention purge removed `n` rows (or files) of a data class (app/ops/retention.ts RetentionClass). */
  retentionPurged(dataClass: string, n: number): void;
  /** The EVM deposit watcher booked an event for a trader deposit in `db`'s transaction. */
  chainDeposit(db: object, event: ChainDepositEvent): void;
}

type ChainDepositEvent = "credited" | "parked" | "reversed" | "reversal_due";

const CREATE_TO_PAID_BUCKETS = [5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21_600, 86_400];
const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

/** Metrics switched off (RAMPART_METRICS=0): every call does nothing and the registry stays empty. */
function disabledMetrics(registry: Registry): OpsMetrics {
  const nothing = () => {};
  return { registry, paymentCreated: nothing, paymentFinished: nothing, jobsClaimed: nothing, jobAttempted: nothing, webhookAttempted: nothing, httpRequest: nothing, retentionPurged: nothing, chainDeposit: nothing };
}

export function createOpsMetrics(opts: { enabled?: boolean } = {}, registry = new Registry()): OpsMetrics {
  if (opts.enabled === false) return disabledMetrics(registry);
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const created = new Counter({ name: "rampart_payments_created_total", help: "Payments created, by dialect", labelNames: ["dialect"] as const, registers });
  const finished = new Counter({
    name: "rampart_payments_finished_total",
    help: "Payments that reached an outcome (paid, failed, expired, canceled), by dialect",
    labelNames: ["dialect", "outcome"] as const,
    registers,
  });
  const createToPaid = new Histogram({
    name: "rampart_payment_create_to_paid_seconds",
    help: "Time from a payment's creation to its payment, by dialect",
    labelNames: ["dialect"] as const,
    buckets: CREATE_TO_PAID_BUCKETS,
    registers,
  });
  const claims = new Counter({ name: "rampart_jobs_claimed_total", help: "Jobs claimed by this process's worker, by kind", labelNames: ["kind"] as const, registers });
  const attempts = new Counter({
    name: "rampart_job_attempts_total",
    help: "Job attempts finished by this process's worker, by kind and outcome (done, retry, dead)",
    labelNames: ["kind", "outcome"] as const,
    registers,
  });
  const deliveries = new Counter({
    name: "rampart_webhook_attempts_total",
    help: "Webhook and IPN delivery attempts, by format and outcome (delivered, retry, failed, endpoint_disabled)",
    labelNames: ["format", "outcome"] as const,
    registers,
  });
  const http = new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request duration by route and status",
    labelNames: ["method", "route", "status_code"] as const,
    buckets: HTTP_BUCKETS,
    registers,
  });
  const purged = new Counter({
    name: "rampart_retention_purged_total",
    help: "Rows the retention purge removed or scrubbed, by data class (kyc_documents, receipts, webhook_bodies, payer_ips, risk_velocity)",
    labelNames: ["class"] as const,
    registers,
  });
  const chainDeposits = new Counter({
    name: "rampart_chain_deposits_total",
    help: "Trader deposits the EVM watcher booked, by event (credited, parked, reversed, reversal_due)",
    labelNames: ["event"] as const,
    registers,
  });
  return {
    registry,
    paymentCreated(db, dialect) {
      afterCommit(db, () => created.inc({ dialect }));
    },
    paymentFinished(db, dialect, outcome, createdAt, at) {
      afterCommit(db, () => {
        finished.inc({ dialect, outcome });
        if (outcome === "paid") createToPaid.observe({ dialect }, Math.max(0, (at.getTime() - createdAt.getTime()) / 1000));
      });
    },
    jobsClaimed(kinds) {
      for (const kind of kinds) claims.inc({ kind });
    },
    jobAttempted(kind, outcome) {
      attempts.inc({ kind, outcome });
    },
    webhookAttempted(format, outcome) {
      deliveries.inc({ format, outcome });
    },
    httpRequest(method, route, statusCode, seconds) {
      http.observe({ method, route, status_code: String(statusCode) }, seconds);
    },
    retentionPurged(dataClass, n) {
      if (n > 0) purged.inc({ class: dataClass }, n);
    },
    chainDeposit(db, event) {
      afterCommit(db, () => chainDeposits.inc({ event }));
    },
  };
}
