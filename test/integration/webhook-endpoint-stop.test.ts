// A worker's claimed messages wait in its queue behind their endpoint's requests in flight (for up to
// their lease). An endpoint deleted or switched off meanwhile gets none of them: the pool hears the
// change (webhook_endpoint_changed, 0074_c) and gives its queue back instead of sending it. A real
// loopback receiver counts what arrives; every wait is for an event (requests, the notification).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createDeliveryPool, PER_ENDPOINT_IN_FLIGHT } from "../../src/app/outbox/deliver-webhooks.js";
import { ENDPOINT_CHANNEL } from "../../src/app/outbox/endpoint-stops.js";
import { publishMerchantEvents } from "../../src/app/outbox/merchant-events.js";
import { createWebhookEndpoint, deleteWebhookEndpoint, updateWebhookEndpoint } from "../../src/app/outbox/merchant-webhook-endpoints.js";
import type { WebhookRequest } from "../../src/app/ports.js";
import { createMerchant } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { followChannel } from "../support/notifications.js";
import { type Receiver, startReceiver } from "../support/webhook-receiver.js";

let h: Harness;
let rx: Receiver;
/** Lets every request the receiver holds be answered. */
let answer: () => void = () => {};
/** From now on the receiver holds every request until `answer()`. */
function holdRequests() {
  const hold = new Promise<void>((r) => (answer = r));
  rx.setScript(() => ({ status: 200, body: "ok", hold }));
}
before(async () => {
  h = await createHarness();
  rx = await startReceiver();
});
after(async () => {
  answer();
  await rx.close();
  await h.close();
});

const QUEUED = 4;

/**
 * An endpoint with PER_ENDPOINT_IN_FLIGHT + QUEUED messages claimed by a pool: its slots' requests are
 * at the receiver, held; the rest wait in the pool's queue. Only this endpoint's messages are due.
 */
async function claimedBehindHeldRequests(path: string) {
  rx.received.length = 0;
  await h.deps.database.db.updateTable("webhook_messages").set({ status: "delivered" }).where("status", "=", "pending").execute();
  holdRequests();
  const m = await createMerchant(h.deps);
  const e = await createWebhookEndpoint(h.deps, m.merchantId, { url: `${rx.url}${path}`, eventTypes: ["*"] });
  const events = Array.from({ length: PER_ENDPOINT_IN_FLIGHT + QUEUED }, (_, i) => ({
    merchantId: m.merchantId,
    type: "payment.succeeded",
    key: `${path}_${i}`,
    orderingKey: `${path}_${i}`,
    createdAt: h.clock.now(),
    data: { i },
  }));
  await h.deps.database.db.transaction().execute((trx) => publishMerchantEvents(trx, events));
  // The real sender, counting the requests it starts and those answered.
  const sender = h.deps.ports.webhooks;
  const sends = { started: 0, answered: 0, waiters: new Set<() => void>() };
  const deps = {
    ...h.deps,
    ports: {
      ...h.deps.ports,
      webhooks: {
        name: sender.name,
        async send(req: WebhookRequest) {
          sends.started++;
          const res = await sender.send(req);
          sends.answered++;
          for (const w of [...sends.waiters]) w();
          return res;
        },
      },
    },
  };
  /** Resolves once `n` requests were answered and the pool has acted on the answers (a turn later). */
  const answered = (n: number) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (sends.answered < n) return;
        sends.waiters.delete(check);
        setImmediate(resolve);
      };
      sends.waiters.add(check);
      check();
    });
  const pool = createDeliveryPool(deps, { workerId: `w${path}`, rand: () => 0.5 });
  // Subscribed after the pool: it hears each change after the pool has.
  const follower = await followChannel(h.deps.database, ENDPOINT_CHANNEL);
  assert.equal(await pool.runOnce(), PER_ENDPOINT_IN_FLIGHT + QUEUED);
  await rx.reached(PER_ENDPOINT_IN_FLIGHT);
  return { merchantId: m.merchantId, endpointId: e.endpointId, pool, follower, sends, answered };
}

const messages = (endpointId: string) =>
  h.deps.database.db.selectFrom("webhook_messages").select(["seq", "status", "attempts", "last_error"]).where("endpoint_id", "=", endpointId).orderBy("seq").execute();

test("messages claimed before their endpoint is deleted are never sent, and end failed", async () => {
  const { merchantId, endpointId, pool, follower, sends, answered } = await claimedBehindHeldRequests("/deleted");
  await deleteWebhookEndpoint(h.deps, merchantId, endpointId);
  await follower.announced(`${endpointId} stopped`, 1);
  // The requests in flight (sent before the delete) are answered: their slots free, the queue would go next.
  answer();
  await answered(PER_ENDPOINT_IN_FLIGHT);
  await pool.drain();
  assert.equal(sends.started, PER_ENDPOINT_IN_FLIGHT, "no request started after the delete");
  await follower.stop();
  assert.equal(rx.received.length, PER_ENDPOINT_IN_FLIGHT, "no request reached the receiver after the delete");
  const rows = await messages(endpointId);
  assert.equal(rows.length, PER_ENDPOINT_IN_FLIGHT + QUEUED);
  assert.deepEqual(new Set(rows.map((r) => `${r.status} ${r.last_error}`)), new Set(["failed endpoint deleted"]));
});

test("messages claimed before their endpoint is switched off wait unsent, pending, and go once it is on again", async () => {
  const { merchantId, endpointId, pool, follower, sends, answered } = await claimedBehindHeldRequests("/off");
  await updateWebhookEndpoint(h.deps, merchantId, endpointId, { enabled: false });
  await follower.announced(`${endpointId} stopped`, 1);
  answer();
  await answered(PER_ENDPOINT_IN_FLIGHT);
  await pool.drain();
  assert.equal(sends.started, PER_ENDPOINT_IN_FLIGHT, "no request started after the switch-off");
  assert.equal(rx.received.length, PER_ENDPOINT_IN_FLIGHT, "no request reached the receiver after the switch-off");
  const rows = await messages(endpointId);
  const state = rows.map((r) => `${r.status} ${r.attempts}`);
  assert.equal(state.filter((s) => s === "delivered 1").length, PER_ENDPOINT_IN_FLIGHT);
  assert.equal(state.filter((s) => s === "pending 0").length, QUEUED, "given back with the claim's attempt taken back");

  rx.setScript(() => ({ status: 200, body: "ok" }));
  await updateWebhookEndpoint(h.deps, merchantId, endpointId, { enabled: true });
  await follower.announced(`${endpointId} live`, 1);
  await follower.stop();
  const again = createDeliveryPool(h.deps, { workerId: "w/on", rand: () => 0.5 });
  assert.equal(await again.runOnce(), QUEUED);
  await again.drain();
  assert.equal(rx.received.length, PER_ENDPOINT_IN_FLIGHT + QUEUED);
  assert.deepEqual(new Set((await messages(endpointId)).map((r) => r.status)), new Set(["delivered"]));
});
