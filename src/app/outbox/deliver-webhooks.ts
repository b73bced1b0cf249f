// Webhook delivery: claim due messages (one autocommit statement, before any request), send each,
// then record the attempt and the message's next state, guarded by the lease: attempts that finish
// while a recording statement runs are written together in the next one (record-attempts.ts), so a
// busy worker commits once per batch rather than once per delivery. The worker's pool claims in large
// batches ahead of need and queues them per endpoint, so the claim's round trip overlaps deliveries
// instead of idling the worker. Messages to different endpoints are independent: one slow or failing
// receiver holds back only its own messages. A queued message is never sent once its endpoint has
// stopped taking deliveries (deleted, switched off, 410) since the claim (endpoint-stops.ts).
import { assertNever } from "../../core/shared/assert-never.js";
import { nextStep } from "../../core/webhooks/retry-schedule.js";
import { ENVELOPE_SIGNATURE_HEADER, signEnvelope, signIpn, signTradingBody } from "../../core/webhooks/signatures.js";
import { claimDueMessages, type ClaimedMessageRow, endpointTakesDeliveries, releaseMessages } from "../../db/outbox/webhooks.js";
import type { Deps } from "../deps.js";
import type { WebhookRequest, WebhookResponse } from "../ports.js";
import type { SigningKeyRef } from "./enqueue-webhook.js";
import { watchEndpointStops } from "./endpoint-stops.js";
import { type AttemptOutcome, createAttemptRecorder } from "./record-attempts.js";
import { resolveSigningKey } from "./signing-keys.js";
import { WORKER_ID } from "./worker-id.js";

const WEBHOOK_BATCH = 50;

/** A lease outlives its message's requests by this margin, so a live worker never loses its message. */
const LEASE_MARGIN_MS = 20_000;
/**
 * A queued request starts only while its lease has its timeout plus this much left (for recording the
 * answer). The lease assumes each endpoint gets its PER_ENDPOINT_IN_FLIGHT requests, but MAX_IN_FLIGHT is
 * shared round robin: behind many hanging endpoints a message may wait past its lease, and another
 * claim may take it meanwhile; sending it then would deliver it twice.
 */
const SEND_MARGIN_MS = LEASE_MARGIN_MS / 2;

interface DeliveryOptions {
  workerId?: string;
  /** Jitter source, [0, 1). */
  rand?: () => number;
}

/**
 * One statement (autocommit): the rows are locked, leased and counted as attempted at once. `held`
 * bounds what this process holds of one endpoint after the claim; the lease of each row covers the
 * request rounds queued ahead of it (PER_ENDPOINT_IN_FLIGHT at a time, each at most the timeout).
 */
function claim(deps: Deps, workerId: string, limit: number, held: number, busy: [string, number][] = []): Promise<ClaimedMessageRow[]> {
  const now = deps.clock.now();
  const lease = { from: new Date(now.getTime() + LEASE_MARGIN_MS), perRound: PER_ENDPOINT_IN_FLIGHT, roundMs: deps.config.webhookTimeoutMs };
  return claimDueMessages(deps.database.db, { now, lease, workerId, limit, perEndpoint: held, busy });
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
  const claimed = await claim(deps, workerId, WEBHOOK_BATCH, PER_ENDPOINT_IN_FLIGHT);
  const keys = signingKeys(deps);
  const recorder = createAttemptRecorder(deps, workerId);
  await Promise.all(claimed.map(async (m) => recorder.record(await attempt(deps, m, keys, opts.rand ?? Math.random))));
  return claimed.length;
}

/** Requests one process keeps in flight. */
const MAX_IN_FLIGHT = 256;
/**
 * Requests to one endpoint one process keeps in flight at most. A receiver that hangs for the whole
 * timeout holds these slots, not the process: other endpoints keep flowing.
 */
export const PER_ENDPOINT_IN_FLIGHT = 32;
/**
 * Messages of one endpoint one process holds at most (queued, in flight or being recorded): enough that
 * a busy endpoint's next claim comes while half of its last one is still queued, so it never waits on
 * the claim's round trip (issue 16). A hanging endpoint's queue waits at most 8 timeouts (its lease).
 */
export const PER_ENDPOINT_HELD = 8 * PER_ENDPOINT_IN_FLIGHT;
/** Messages one process holds at most: a killed worker's duplicates are at most this many. */
export const MAX_HELD = 1024;
/** Rows one claim takes at most. */
const CLAIM_BATCH = 512;

export interface DeliveryPool {
  /**
   * Claims for the room the pool has and queues those messages per endpoint. While messages are held it
   * claims again only once room frees (half an endpoint's or half the pool's share, or everything
   * recorded) or when the last claim came back full, otherwise after a poll interval, so a busy
   * endpoint's next batch is claimed while the current one is delivered.
   */
  runOnce(): Promise<number>;
  /** Gives back the queued messages not sent yet and resolves when every started delivery is recorded. */
  drain(): Promise<void>;
}

interface Queued {
  message: ClaimedMessageRow;
  keys: SigningKeys;
  /** The endpoint-stops token taken when its claim began. */
  token: number | null;
}

/**
 * The worker's delivery loop as a rolling pool: claimed messages wait in a queue per endpoint; a
 * request starts whenever its endpoint has one of its PER_ENDPOINT_IN_FLIGHT slots free and the process
 * one of its MAX_IN_FLIGHT, and frees the slot when the answer is in (its recording, batched with
 * others, does not hold the receiver's slot). Free slots go round the endpoints in turn. The queue of an
 * endpoint announced stopped is given back at once, and a message is checked against the stops again
 * right before its request.
 */
export function createDeliveryPool(deps: Deps, opts: DeliveryOptions = {}): DeliveryPool {
  const workerId = opts.workerId ?? WORKER_ID;
  const rand = opts.rand ?? Math.random;
  const recorder = createAttemptRecorder(deps, workerId);
  const queues = new Map<string, Queued[]>();
  const sending = new Map<string, number>();
  const held = new Map<string, number>();
  let sendingTotal = 0;
  let heldTotal = 0;
  const started = new Set<Promise<void>>();
  // Woken when room frees for a useful claim. `freed` keeps a wake-up that comes during a claim's own
  // round trip, which must not be lost (the loop would sleep a whole poll interval).
  let wake: (() => void) | null = null;
  let freed = false;
  let lastClaimFull = false;
  const signal = () => {
    freed = true;
    wake?.();
    wake = null;
  };
  const add = (map: Map<string, number>, key: string, n: number) => {
    const v = (map.get(key) ?? 0) + n;
    if (v === 0) map.delete(key);
    else map.set(key, v);
    return v;
  };
  const release = (endpoint: string) => {
    const left = add(held, endpoint, -1);
    heldTotal--;
    if (left === PER_ENDPOINT_HELD / 2 || heldTotal === MAX_HELD / 2 || heldTotal === 0) signal();
  };
  // Queued messages not to be sent (a lease run short, an endpoint stopped), given back in one statement per pump.
  let unsent: ClaimedMessageRow[] = [];
  const giveBack = () => {
    const msgs = unsent;
    unsent = [];
    const p: Promise<void> = releaseMessages(deps.database.db, workerId, msgs)
      .catch((err: unknown) => deps.logger.error({ err }, "unsent webhooks could not be given back; their leases will expire"))
      .finally(() => {
        started.delete(p);
        for (const m of msgs) release(m.endpoint_id);
      });
    started.add(p);
  };
  // A deleted endpoint's messages are already failed, so giving them back changes nothing; a switched-off
  // one's wait, pending, until it is switched on (the claim skips them meanwhile).
  const stops = watchEndpointStops(deps.database, (endpoint) => {
    const q = queues.get(endpoint);
    if (!q) return;
    queues.delete(endpoint);
    unsent.push(...q.map((x) => x.message));
    giveBack();
  });
  let claiming = 0;
  const start = ({ message: m, keys, token }: Queued) => {
    const verdict = stops.verdict(m.endpoint_id, token);
    if (verdict === "stopped" || new Date(m.lease_until).getTime() < deps.clock.now().getTime() + deps.config.webhookTimeoutMs + SEND_MARGIN_MS) {
      unsent.push(m);
      return;
    }
    add(sending, m.endpoint_id, 1);
    sendingTotal++;
    const p: Promise<void> = (async () => {
      let outcome: AttemptOutcome | null;
      try {
        // Asked only while the stops cannot vouch for the claim (a lost or not yet listening session).
        const takes = verdict === "send" || (await endpointTakesDeliveries(deps.database.db, m.endpoint_id));
        outcome = takes ? await attempt(deps, m, keys, rand) : null;
      } finally {
        add(sending, m.endpoint_id, -1);
        sendingTotal--;
        pump();
      }
      if (outcome === null) await releaseMessages(deps.database.db, workerId, [m]);
      else await recorder.record(outcome);
    })()
      .catch((err: unknown) => deps.logger.error({ err, eventId: m.event_id }, "webhook delivery could not be recorded; its lease will expire"))
      .finally(() => {
        started.delete(p);
        release(m.endpoint_id);
      });
    started.add(p);
  };
  // Round robin: an endpoint that got a slot goes to the back of the line.
  const pump = () => {
    for (let progressed = true; progressed && sendingTotal < MAX_IN_FLIGHT; ) {
      progressed = false;
      for (const [endpoint, q] of [...queues]) {
        if (sendingTotal >= MAX_IN_FLIGHT) break;
        if ((sending.get(endpoint) ?? 0) >= PER_ENDPOINT_IN_FLIGHT) continue;
        start(q.shift()!);
        progressed = true;
        queues.delete(endpoint);
        if (q.length > 0) queues.set(endpoint, q);
      }
    }
    if (unsent.length > 0) giveBack();
  };
  const claimFree = async () => {
    const room = Math.min(CLAIM_BATCH, MAX_HELD - heldTotal);
    freed = false;
    if (room <= 0) return (lastClaimFull = false), 0;
    const token = stops.token();
    let claimed: ClaimedMessageRow[];
    claiming++;
    try {
      claimed = await claim(deps, workerId, room, PER_ENDPOINT_HELD, [...held]);
    } finally {
      claiming--;
    }
    lastClaimFull = claimed.length === room;
    const keys = signingKeys(deps);
    for (const m of claimed) {
      add(held, m.endpoint_id, 1);
      heldTotal++;
      const q = queues.get(m.endpoint_id);
      if (q) q.push({ message: m, keys, token });
      else queues.set(m.endpoint_id, [{ message: m, keys, token }]);
    }
    // A claim begun from now on reads the endpoints itself: stops of endpoints held no more are moot.
    if (claiming === 0) stops.prune((endpoint) => held.has(endpoint));
    pump();
    return claimed.length;
  };
  return {
    async runOnce() {
      const deadline = Date.now() + deps.config.pollIntervalMs;
      for (;;) {
        if (heldTotal === 0 || freed || lastClaimFull) {
          const claimed = await claimFree();
          if (claimed > 0 || heldTotal === 0) return claimed;
          if (freed) continue;
        }
        const left = deadline - Date.now();
        // A poll interval without room freeing: claim anyway, for messages to other endpoints due since.
        if (left <= 0) return claimFree();
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([new Promise<void>((r) => (wake = r)), new Promise<void>((r) => (timer = setTimeout(r, left)))]);
        clearTimeout(timer);
      }
    },
    async drain() {
      const unsent = [...queues.values()].flat().map((q) => q.message);
      queues.clear();
      for (const m of unsent) release(m.endpoint_id);
      await releaseMessages(deps.database.db, workerId, unsent).catch((err: unknown) =>
        deps.logger.error({ err }, "queued webhooks could not be given back; their leases will expire"),
      );
      while (started.size > 0) await Promise.all(started);
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

/** Sends one claimed message: the outcome to record. */
async function attempt(deps: Deps, m: ClaimedMessageRow, keys: SigningKeys, rand: () => number): Promise<AttemptOutcome> {
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
  return { message: m, at, done, url: redactSignature(sentUrl), response: res, step };
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Attempt logs keep the URL but not the IPN signature. */
function redactSignature(url: string): string {
  return url.replace(/([?&]signature=)[0-9a-f]+/i, "$1…");
}
