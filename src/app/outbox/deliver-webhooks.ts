// One delivery pass: claim due messages (short transaction, committed before any request), send each
// after commit, then record the attempt and the message's next state, guarded by the lease: attempts
// that finish while a recording transaction runs are written together in the next one
// (record-attempts.ts), so a busy worker commits once per batch rather than once per delivery.
// Messages to different endpoints are independent: one slow or failing receiver holds back only its
// own messages.
import { assertNever } from "../../core/shared/assert-never.js";
import { nextStep } from "../../core/webhooks/retry-schedule.js";
import { ENVELOPE_SIGNATURE_HEADER, signEnvelope, signIpn, signTradingBody } from "../../core/webhooks/signatures.js";
import { claimDueMessages, type ClaimedMessageRow } from "../../db/outbox/webhooks.js";
import type { Deps } from "../deps.js";
import type { WebhookRequest, WebhookResponse } from "../ports.js";
import type { SigningKeyRef } from "./enqueue-webhook.js";
import { type AttemptRecorder, createAttemptRecorder } from "./record-attempts.js";
import { resolveSigningKey } from "./signing-keys.js";
import { WORKER_ID } from "./worker-id.js";

const WEBHOOK_BATCH = 50;

/** A lease outlives the request timeout by a margin, so a live worker never loses its message. */
function webhookLeaseMs(deps: Deps): number {
  return deps.config.webhookTimeoutMs + 20_000;
}

interface DeliveryOptions {
  workerId?: string;
  /** Jitter source, [0, 1). */
  rand?: () => number;
}

/** One statement (autocommit): the rows are locked, leased and counted as attempted at once. */
function claim(deps: Deps, workerId: string, limit: number, busy: [string, number][] = []): Promise<ClaimedMessageRow[]> {
  const now = deps.clock.now();
  return claimDueMessages(deps.database.db, { now, leaseUntil: new Date(now.getTime() + webhookLeaseMs(deps)), workerId, limit, perEndpoint: PER_ENDPOINT_IN_FLIGHT, busy });
}

/**
 * Signing keys of one claim, each resolved once: a claim's messages mostly share a merchant's key,
 * and a key is still resolved at send time (a rotated key signs the next claim's retries).
 */
type SigningKeys = (m: ClaimedMessageRow) => Promise<readonly string[] | null>;
function signingKeys(deps: Deps): SigningKeys {
  const cache = new Map<string, Promise<readonly string[] | null>>();
  return (m) => {
    const ref = m.signing_key_ref as SigningKeyRef;
    // An endpoint's own secret depends on the endpoint, not only on the reference.
    const id = ref.kind === "webhook_secret" ? `endpoint:${m.endpoint_id}` : JSON.stringify(ref);
    let key = cache.get(id);
    if (!key) cache.set(id, (key = resolveSigningKey(deps, ref, { endpointId: m.endpoint_id, url: m.url })));
    return key;
  };
}

/** One claim of up to WEBHOOK_BATCH messages, delivered concurrently; resolves when all are recorded. */
export async function runWebhookDelivery(deps: Deps, opts: DeliveryOptions = {}): Promise<number> {
  const workerId = opts.workerId ?? WORKER_ID;
  const claimed = await claim(deps, workerId, WEBHOOK_BATCH);
  const keys = signingKeys(deps);
  const recorder = createAttemptRecorder(deps, workerId);
  await Promise.all(claimed.map((m) => deliverOne(deps, m, keys, recorder, opts.rand ?? Math.random)));
  return claimed.length;
}

/**
 * Requests one process keeps in flight; a killed worker's duplicates are at most this many. Deep
 * enough that the claim and record round trips, not the slots, bound a busy worker (issue 16).
 */
export const MAX_IN_FLIGHT = 256;
/**
 * Requests to one endpoint one process keeps in flight at most (the claim gives each endpoint only
 * the slots it has left). A receiver that hangs for the whole timeout holds these slots, not
 * the process: other endpoints keep flowing.
 */
export const PER_ENDPOINT_IN_FLIGHT = 32;

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
  const recorder = createAttemptRecorder(deps, workerId);
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
  const start = (m: ClaimedMessageRow, keys: SigningKeys) => {
    perEndpoint.set(m.endpoint_id, (perEndpoint.get(m.endpoint_id) ?? 0) + 1);
    const p: Promise<void> = deliverOne(deps, m, keys, recorder, opts.rand ?? Math.random)
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
    // Scanning a whole free pool's worth of rows for a single busy endpoint would mostly read rows it
    // has no slot for: a claim looks at two endpoints' worth at a time.
    const claimed = await claim(deps, workerId, Math.min(free, 2 * PER_ENDPOINT_IN_FLIGHT), [...perEndpoint]);
    const keys = signingKeys(deps);
    for (const m of claimed) start(m, keys);
    return claimed.length;
  };
  return {
    async runOnce() {
      const deadline = Date.now() + deps.config.pollIntervalMs;
      for (;;) {
        freed = false;
        const claimed = await claimFree();
        if (claimed > 0) return claimed;
        // Checked before the pool's emptiness: when the last requests finish during the claim's round
        // trip, the claim still saw their endpoint as saturated; returning 0 then would idle a whole
        // poll interval with due messages queued.
        if (freed) continue;
        if (inFlight.size === 0) return 0;
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
async function buildRequest(m: ClaimedMessageRow, keys: SigningKeys, at: Date): Promise<WebhookRequest | null> {
  const all = await keys(m);
  if (all === null) return null;
  // The trading and IPN formats have one signature; only the envelope carries several (a rotation).
  const key = all[0]!;
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
      return { method: "POST", url: m.url, headers: { ...headers, "content-type": "application/json", [ENVELOPE_SIGNATURE_HEADER]: signEnvelope(all, body, t) }, body };
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

/** Sends one claimed message and resolves once its attempt is recorded. */
async function deliverOne(deps: Deps, m: ClaimedMessageRow, keys: SigningKeys, recorder: AttemptRecorder, rand: () => number): Promise<void> {
  const at = deps.clock.now();
  let sentUrl = m.url;
  let res: WebhookResponse;
  try {
    const req = await buildRequest(m, keys, at);
    if (req === null) res = { kind: "error", error: "signing key unavailable", latencyMs: 0 };
    else {
      sentUrl = req.url;
      res = await deps.ports.webhooks.send(req);
    }
  } catch (err) {
    deps.logger.error({ err, eventId: m.event_id, webhookSeq: m.seq, attempt: m.attempts }, "webhook request could not be built");
    res = { kind: "error", error: err instanceof Error ? err.message : String(err), latencyMs: 0 };
  }
  const done = deps.clock.now();
  const step = nextStep(
    res.kind === "response" ? { kind: "response", status: res.status, retryAfter: headerValue(res.headers["retry-after"]) } : res,
    m.attempts,
    done,
    rand,
  );
  await recorder.record({ message: m, at, done, url: redactSignature(sentUrl), response: res, step });
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Attempt logs keep the URL but not the IPN signature. */
function redactSignature(url: string): string {
  return url.replace(/([?&]signature=)[0-9a-f]+/i, "$1…");
}
