// One delivery pass: claim due messages (short transaction, committed before any request), send each
// after commit, then record the attempt and the message's next state in its own short transaction,
// guarded by the lease. Messages to different endpoints are independent: one slow or failing
// receiver holds back only its own messages.
import { assertNever } from "../../core/shared/assert-never.js";
import { nextStep } from "../../core/webhooks/retry-schedule.js";
import { ENVELOPE_SIGNATURE_HEADER, signEnvelope, signIpn, signTradingBody } from "../../core/webhooks/signatures.js";
import { insertNotification } from "../../db/outbox/notifications.js";
import { claimDueMessages, disableEndpoint, finishMessageAttempt, insertAttempt, type ClaimedMessageRow } from "../../db/outbox/webhooks.js";
import type { Deps } from "../deps.js";
import type { WebhookRequest, WebhookResponse } from "../ports.js";
import type { SigningKeyRef } from "./enqueue-webhook.js";
import { resolveSigningKey } from "./signing-keys.js";
import { WORKER_ID } from "./worker-id.js";

const WEBHOOK_BATCH = 50;
/** Stored response bodies are cut to this many characters (the request itself reads at most 64 KiB). */
const STORED_RESPONSE_CHARS = 4096;

/** A lease outlives the request timeout by a margin, so a live worker never loses its message. */
function webhookLeaseMs(deps: Deps): number {
  return deps.config.webhookTimeoutMs + 20_000;
}

interface DeliveryOptions {
  workerId?: string;
  /** Jitter source, [0, 1). */
  rand?: () => number;
}

function claim(deps: Deps, workerId: string, limit: number, excludeEndpoints: string[] = []): Promise<ClaimedMessageRow[]> {
  const now = deps.clock.now();
  return deps.database.db
    .transaction()
    .execute((trx) => claimDueMessages(trx, { now, leaseUntil: new Date(now.getTime() + webhookLeaseMs(deps)), workerId, limit, excludeEndpoints }));
}

/** One claim of up to WEBHOOK_BATCH messages, delivered concurrently; resolves when all are recorded. */
export async function runWebhookDelivery(deps: Deps, opts: DeliveryOptions = {}): Promise<number> {
  const workerId = opts.workerId ?? WORKER_ID;
  const claimed = await claim(deps, workerId, WEBHOOK_BATCH);
  await Promise.all(claimed.map((m) => deliverOne(deps, m, workerId, opts.rand ?? Math.random)));
  return claimed.length;
}

/** Requests one process keeps in flight; a killed worker's duplicates are at most this many. */
export const MAX_IN_FLIGHT = WEBHOOK_BATCH;
/**
 * Requests to one endpoint one process starts before it stops claiming for that endpoint (it may
 * reach just under twice this). A receiver that hangs for the whole timeout holds these slots, not
 * the process: other endpoints keep flowing.
 */
export const PER_ENDPOINT_IN_FLIGHT = 16;

export interface DeliveryPool {
  /**
   * Claims for the free slots and starts those deliveries. When nothing is claimable while requests
   * are in flight, it waits for a slot to free (or a poll interval) and claims again, so a busy
   * endpoint is fed as fast as it answers rather than once per poll interval.
   */
  runOnce(): Promise<number>;
  /** Resolves when every started delivery is recorded. */
  drain(): Promise<void>;
}

/**
 * The worker's delivery loop as a rolling pool: a claim does not wait for the previous claim's
 * slowest request (a batch that waited would let one 10 s timeout hold back every other endpoint),
 * and an endpoint with PER_ENDPOINT_IN_FLIGHT requests running is left out of the next claims.
 */
export function createDeliveryPool(deps: Deps, opts: DeliveryOptions = {}): DeliveryPool {
  const workerId = opts.workerId ?? WORKER_ID;
  const inFlight = new Set<Promise<void>>();
  const perEndpoint = new Map<string, number>();
  // Woken when a finished request can make a claim useful again (a slot of a full pool or of a
  // saturated endpoint freed), or when the last one finishes: runOnce then returns at once instead of
  // waiting out the poll interval, so the worker can stop without waiting for it.
  let wake: (() => void) | null = null;
  // Set when a slot frees while no claim is waiting: a request can finish during the claim's own
  // round trip, and that wake-up must not be lost (the loop would sleep a whole poll interval).
  let freed = false;
  const signal = () => {
    freed = true;
    wake?.();
    wake = null;
  };
  const start = (m: ClaimedMessageRow) => {
    perEndpoint.set(m.endpoint_id, (perEndpoint.get(m.endpoint_id) ?? 0) + 1);
    const p: Promise<void> = deliverOne(deps, m, workerId, opts.rand ?? Math.random)
      .catch((err: unknown) => deps.logger.error({ err, eventId: m.event_id }, "webhook delivery could not be recorded; its lease will expire"))
      .finally(() => {
        inFlight.delete(p);
        const n = perEndpoint.get(m.endpoint_id)! - 1;
        if (n === 0) perEndpoint.delete(m.endpoint_id);
        else perEndpoint.set(m.endpoint_id, n);
        if (n === PER_ENDPOINT_IN_FLIGHT - 1 || inFlight.size === MAX_IN_FLIGHT - 1 || inFlight.size === 0) signal();
      });
    inFlight.add(p);
  };
  const claimFree = async () => {
    const free = MAX_IN_FLIGHT - inFlight.size;
    if (free === 0) return 0;
    const saturated = [...perEndpoint].filter(([, n]) => n >= PER_ENDPOINT_IN_FLIGHT).map(([id]) => id);
    const claimed = await claim(deps, workerId, Math.min(free, PER_ENDPOINT_IN_FLIGHT), saturated);
    claimed.forEach(start);
    return claimed.length;
  };
  return {
    async runOnce() {
      const deadline = Date.now() + deps.config.pollIntervalMs;
      for (;;) {
        freed = false;
        const claimed = await claimFree();
        if (claimed > 0 || inFlight.size === 0) return claimed;
        if (freed) continue;
        const left = deadline - Date.now();
        if (left <= 0) return 0;
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([new Promise<void>((r) => (wake = r)), new Promise<void>((r) => (timer = setTimeout(r, left)))]);
        clearTimeout(timer);
      }
    },
    async drain() {
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
  };
}

/** The signed request of a message, or null when its signing key cannot be resolved. */
async function buildRequest(deps: Deps, m: ClaimedMessageRow, at: Date): Promise<WebhookRequest | null> {
  const key = await resolveSigningKey(deps, m.signing_key_ref as SigningKeyRef, { endpointId: m.endpoint_id, url: m.url });
  if (key === null) return null;
  const t = Math.floor(at.getTime() / 1000);
  const headers: Record<string, string> = {
    "user-agent": "Rampart-Webhooks/1",
    "x-rampart-event-id": m.event_id,
    "x-rampart-timestamp": String(t),
  };
  const body = m.body ?? "";
  switch (m.format) {
    case "trading":
      return { method: "POST", url: m.url, headers: { ...headers, "content-type": "application/json", "x-signature": signTradingBody(key, body) }, body };
    case "envelope":
      return { method: "POST", url: m.url, headers: { ...headers, "content-type": "application/json", [ENVELOPE_SIGNATURE_HEADER]: signEnvelope(key, body, t) }, body };
    case "intent_ipn": {
      const q = m.query ?? {};
      const url = new URL(m.url);
      for (const [k, v] of Object.entries(q)) url.searchParams.set(k, v);
      url.searchParams.set("timestamp", String(t));
      url.searchParams.set(
        "signature",
        signIpn(key, { paymentIntentId: q.paymentIntentId ?? "", paymentIntentStatus: q.paymentIntentStatus ?? "", timestamp: t }),
      );
      return { method: "GET", url: url.toString(), headers };
    }
    default:
      return assertNever(m.format, "webhook format");
  }
}

async function deliverOne(deps: Deps, m: ClaimedMessageRow, workerId: string, rand: () => number): Promise<void> {
  const log = deps.logger.child({ eventId: m.event_id, webhookSeq: m.seq, attempt: m.attempts });
  const at = deps.clock.now();
  let sentUrl = m.url;
  let res: WebhookResponse;
  try {
    const req = await buildRequest(deps, m, at);
    if (req === null) res = { kind: "error", error: "signing key unavailable", latencyMs: 0 };
    else {
      sentUrl = req.url;
      res = await deps.ports.webhooks.send(req);
    }
  } catch (err) {
    log.error({ err }, "webhook request could not be built");
    res = { kind: "error", error: err instanceof Error ? err.message : String(err), latencyMs: 0 };
  }
  const done = deps.clock.now();
  const step = nextStep(
    res.kind === "response" ? { kind: "response", status: res.status, retryAfter: headerValue(res.headers["retry-after"]) } : res,
    m.attempts,
    done,
    rand,
  );
  const guard = { seq: m.seq, workerId, attempts: m.attempts, now: done };
  const recorded = await deps.database.db.transaction().execute(async (trx) => {
    await insertAttempt(trx, {
      id: deps.ids.uuid(),
      messageSeq: m.seq,
      attempt: m.attempts,
      at,
      url: redactSignature(sentUrl),
      statusCode: res.kind === "response" ? res.status : null,
      latencyMs: res.latencyMs,
      responseBody: res.kind === "response" ? res.body.slice(0, STORED_RESPONSE_CHARS) : null,
      error: res.kind === "error" ? res.error.slice(0, 1000) : null,
    });
    let recorded: boolean;
    switch (step.kind) {
      case "delivered":
        recorded = await finishMessageAttempt(trx, { ...guard, status: "delivered" });
        break;
      case "retry":
        recorded = await finishMessageAttempt(trx, { ...guard, status: "pending", nextAttemptAt: step.at, error: step.error });
        break;
      case "failed":
        recorded = await finishMessageAttempt(trx, { ...guard, status: "failed", error: step.error });
        break;
      case "disable_endpoint":
        recorded = await finishMessageAttempt(trx, { ...guard, status: "failed", error: step.error });
        if (await disableEndpoint(trx, { id: m.endpoint_id, at: done, reason: step.error })) {
          await insertNotification(trx, {
            id: deps.ids.uuid(),
            kind: "webhook_endpoint_disabled",
            subject: `Webhook endpoint disabled (merchant ${m.merchant_id})`,
            message: `The receiver at ${m.url} answered 410 Gone; delivery to it is stopped until it is redelivered by an operator.`,
            details: { merchantId: m.merchant_id, endpointId: m.endpoint_id, url: m.url, eventId: m.event_id },
            at: done,
          });
          log.warn({ merchantId: m.merchant_id, endpointId: m.endpoint_id }, "webhook endpoint disabled after 410");
        }
        break;
      default:
        assertNever(step, "delivery step");
    }
    if (!recorded) log.warn("webhook lease lost before the attempt was recorded");
    return recorded;
  });
  if (recorded) deps.metrics.webhookAttempted(m.format, step.kind === "disable_endpoint" ? "endpoint_disabled" : step.kind);
  if (step.kind === "failed") log.warn({ error: step.error }, "webhook failed for good");
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Attempt logs keep the URL but not the IPN signature. */
function redactSignature(url: string): string {
  return url.replace(/([?&]signature=)[0-9a-f]+/i, "$1…");
}
