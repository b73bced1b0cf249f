// Records webhook attempts in batches: each finished delivery queues its outcome; one statement at a
// time writes every queued outcome (the attempt rows and the messages' next states, guarded by this
// worker's lease) and resolves their promises when it commits. A 410 Gone, which also switches its
// endpoint off and tells the operator, is written in a transaction of its own. Outcomes that finish
// while a batch is being written wait for the next one, so the batch grows with the load and a
// delivery is never held back for a timer. A failed batch rejects each of its outcomes: their leases
// expire and the messages are tried again, as when a single write failed.
import { assertNever } from "../../core/shared/assert-never.js";
import type { nextStep } from "../../core/webhooks/retry-schedule.js";
import { insertNotification } from "../../db/outbox/notifications.js";
import { type ClaimedMessageRow, disableEndpoint, type RecordedAttempt, recordAttempts } from "../../db/outbox/webhooks.js";
import type { Db } from "../../db/schema.js";
import type { Deps } from "../deps.js";
import type { WebhookResponse } from "../ports.js";

/** Stored response bodies are cut to this many characters (the request itself reads at most 64 KiB). */
const STORED_RESPONSE_CHARS = 4096;

export interface AttemptOutcome {
  message: ClaimedMessageRow;
  /** When the request was built (the attempt's time) and when its answer was in. */
  at: Date;
  done: Date;
  /** The URL sent to, with any IPN signature redacted. */
  url: string;
  response: WebhookResponse;
  step: ReturnType<typeof nextStep>;
}

interface AttemptRecorder {
  /** Resolves when the outcome is committed (or the lease was found lost); rejects when the write failed. */
  record(outcome: AttemptOutcome): Promise<void>;
}

interface Queued {
  outcome: AttemptOutcome;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Batches written at once: a second writer takes what queued while the first one's statement is on
 * its way, so one slow commit does not hold every finished delivery back.
 */
const WRITERS = 2;

export function createAttemptRecorder(deps: Deps, workerId: string): AttemptRecorder {
  let queue: Queued[] = [];
  let writers = 0;
  const writeAll = async () => {
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      try {
        await writeBatch(deps, workerId, batch.map((q) => q.outcome));
        for (const q of batch) q.resolve();
      } catch (err) {
        for (const q of batch) q.reject(err);
      }
    }
    writers--;
  };
  return {
    record(outcome) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ outcome, resolve, reject });
        // setImmediate: answers read in the same turn of the event loop go into the same batch.
        if (writers < WRITERS) {
          writers++;
          setImmediate(() => void writeAll());
        }
      });
    },
  };
}

function rowOf(deps: Deps, o: AttemptOutcome): RecordedAttempt {
  const r = o.response;
  const row = {
    id: deps.ids.uuid(),
    seq: o.message.seq,
    attempts: o.message.attempts,
    at: o.at,
    url: o.url,
    statusCode: r.kind === "response" ? r.status : null,
    latencyMs: r.latencyMs,
    responseBody: r.kind === "response" ? r.body.slice(0, STORED_RESPONSE_CHARS) : null,
    attemptError: r.kind === "error" ? r.error.slice(0, 1000) : null,
    now: o.done,
  };
  switch (o.step.kind) {
    case "delivered":
      return { ...row, status: "delivered" };
    case "retry":
      return { ...row, status: "pending", nextAttemptAt: o.step.at, error: o.step.error };
    case "failed":
    case "disable_endpoint":
      return { ...row, status: "failed", error: o.step.error };
    default:
      return assertNever(o.step, "delivery step");
  }
}

async function writeBatch(deps: Deps, workerId: string, outcomes: AttemptOutcome[]): Promise<void> {
  const gone = outcomes.filter((o) => o.step.kind === "disable_endpoint");
  const rest = outcomes.filter((o) => o.step.kind !== "disable_endpoint");
  // Counted once recorded; an attempt whose lease was lost is another worker's to count.
  const tally = (recorded: Set<string>, list: AttemptOutcome[]) => {
    for (const o of list) {
      if (recorded.has(String(o.message.seq))) deps.metrics.webhookAttempted(o.message.format, o.step.kind === "disable_endpoint" ? "endpoint_disabled" : o.step.kind);
      else deps.logger.warn({ eventId: o.message.event_id, webhookSeq: o.message.seq, attempt: o.message.attempts }, "webhook lease lost before the attempt was recorded");
    }
  };
  tally(await recordAttempts(deps.database.db, workerId, rest.map((o) => rowOf(deps, o))), rest);
  for (const o of gone) {
    await deps.database.db.transaction().execute(async (trx) => {
      const recorded = await recordAttempts(trx, workerId, [rowOf(deps, o)]);
      tally(recorded, [o]);
      if (recorded.size > 0 && o.step.kind === "disable_endpoint") await disableAfterGone(deps, trx, o, o.step.error);
    });
  }
  for (const o of outcomes) {
    if (o.step.kind === "failed") deps.logger.warn({ eventId: o.message.event_id, webhookSeq: o.message.seq, attempt: o.message.attempts, error: o.step.error }, "webhook failed for good");
  }
}

/** A 410 Gone: the endpoint is switched off (once) and the operator told. */
async function disableAfterGone(deps: Deps, trx: Db, o: AttemptOutcome, reason: string): Promise<void> {
  const m = o.message;
  if (!(await disableEndpoint(trx, { id: m.endpoint_id, at: o.done, reason }))) return;
  await insertNotification(trx, {
    id: deps.ids.uuid(),
    kind: "webhook_endpoint_disabled",
    subject: `Webhook endpoint disabled (merchant ${m.merchant_id})`,
    message: `The receiver at ${m.url} answered 410 Gone; delivery to it is stopped until it is redelivered by an operator.`,
    details: { merchantId: m.merchant_id, endpointId: m.endpoint_id, url: m.url, eventId: m.event_id },
    at: o.done,
  });
  deps.logger.warn({ eventId: m.event_id, merchantId: m.merchant_id, endpointId: m.endpoint_id }, "webhook endpoint disabled after 410");
}
