// The worker's delivery pool: a receiver that hangs holds a bounded number of this process's slots and
// claimed messages, never the process. Messages to other endpoints queued behind a backlog of hanging
// ones are delivered at once; stopping the worker gives back the claimed messages it never sent and
// waits for the requests in flight to be recorded.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { PER_ENDPOINT_HELD, PER_ENDPOINT_IN_FLIGHT } from "../../src/app/outbox/deliver-webhooks.js";
import { enqueueWebhook } from "../../src/app/outbox/outbox.js";
import { deliverWebhooksTask } from "../../src/jobs/deliver-webhooks.js";
import { startWorker } from "../../src/main/worker.js";
import { createMerchant } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { type Receiver, startReceiver } from "../support/webhook-receiver.js";

let h: Harness;
let rx: Receiver;
/** Released by the test: until then the hanging endpoint answers nothing. */
let releaseHanging!: () => void;
const hanging = new Promise<void>((r) => (releaseHanging = r));
const to = (path: string) => (r: { url: string }) => r.url === path;

before(async () => {
  // The delivery timeout outlasts any test: only the release ends a hanging request.
  h = await createHarness({ config: { webhookTimeoutMs: 600_000, pollIntervalMs: 20 } });
  rx = await startReceiver((r) => (r.url === "/hang" ? { status: 200, hold: hanging } : { status: 200 }));
});
after(async () => {
  releaseHanging();
  await rx.close();
  await h.close();
});

// Overall timeouts only catch a hang; every wait below is for the event itself.
test("a backlog for a hanging endpoint does not hold back other endpoints; stop drains what is in flight", { timeout: 120_000 }, async () => {
  const m = await createMerchant(h.deps);
  const apiKeyId = m.apiKeyId;
  // More than a whole claim scans: the fast ones are only seen once the hanging endpoint, at its bound,
  // is left out of the scan (the old batch-then-wait loop stalled the next batch instead).
  const backlog = 2 * PER_ENDPOINT_HELD + 10;
  await h.deps.database.db.transaction().execute(async (trx) => {
    for (let i = 0; i < backlog + 5; i++) {
      const path = i < backlog ? "/hang" : "/fast"; // the fast ones are queued last
      await enqueueWebhook(trx, {
        merchantId: m.merchantId,
        format: "trading",
        url: `${rx.url}${path}`,
        eventId: `evt_pool_${i}`,
        orderingKey: `p_${i}`,
        body: JSON.stringify({ id: `p_${i}` }),
        signingKeyRef: { kind: "api_key", apiKeyId },
      });
    }
  });
  const worker = startWorker(h.deps, [deliverWebhooksTask]);
  let stopped: Promise<void> | undefined;
  try {
    // No hanging request can finish before the release: the fast ones got through beside them.
    await rx.reached(5, to("/fast"));
    await rx.reached(PER_ENDPOINT_IN_FLIGHT, to("/hang"));
    // No slot of the hanging endpoint ever frees: no request beyond its slots was sent.
    assert.equal(rx.received.filter(to("/hang")).length, PER_ENDPOINT_IN_FLIGHT);
    // What is leased is all it claimed: its requests and its queue, bounded per endpoint.
    const leased = await h.deps.database.db
      .selectFrom("webhook_messages")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("url", "=", `${rx.url}/hang`)
      .where("locked_by", "is not", null)
      .executeTakeFirstOrThrow();
    const taken = Number(leased.n);
    assert.ok(taken >= PER_ENDPOINT_IN_FLIGHT, `${taken} requests to the hanging endpoint started`);
    assert.ok(taken <= PER_ENDPOINT_HELD, `${taken} messages to the hanging endpoint claimed: bounded per endpoint`);
    stopped = worker.stop();
  } finally {
    stopped ??= worker.stop();
    releaseHanging();
    await stopped;
  }
  // stop() returned after the in-flight requests were recorded and the queued ones given back: none is
  // left leased to this process, and only the ones sent count an attempt.
  const leased = await h.deps.database.db.selectFrom("webhook_messages").select("event_id").where("locked_by", "is not", null).execute();
  assert.deepEqual(leased, []);
  const hang = await h.deps.database.db.selectFrom("webhook_messages").select(["status", "attempts"]).where("url", "=", `${rx.url}/hang`).execute();
  // (Released before stop() drained, the hanging requests' slots may have started more of the queue.)
  const sent = hang.filter((r) => r.status === "delivered" && r.attempts === 1).length;
  assert.equal(sent, rx.received.filter(to("/hang")).length, "every request sent was recorded");
  assert.ok(sent >= PER_ENDPOINT_IN_FLIGHT);
  assert.equal(hang.filter((r) => r.status === "pending" && r.attempts === 0).length, backlog - sent, "the rest given back unattempted");
  const fast = await h.deps.database.db.selectFrom("webhook_messages").select("status").where("url", "=", `${rx.url}/fast`).execute();
  assert.deepEqual(fast.map((r) => r.status), Array(5).fill("delivered"));
});

test("a busy endpoint is fed as fast as it answers, not once per poll interval", { timeout: 120_000 }, async () => {
  // A poll interval longer than the test's timeout: claiming once per interval would never finish.
  const slowPoll = await createHarness({ config: { pollIntervalMs: 600_000 } });
  try {
    const m = await createMerchant(slowPoll.deps);
    const apiKeyId = m.apiKeyId;
    const total = 8 * PER_ENDPOINT_IN_FLIGHT;
    await slowPoll.deps.database.db.transaction().execute(async (trx) => {
      for (let i = 0; i < total; i++) {
        await enqueueWebhook(trx, {
          merchantId: m.merchantId,
          format: "trading",
          url: `${rx.url}/busy`,
          eventId: `evt_busy_${i}`,
          orderingKey: `b_${i}`,
          body: "{}",
          signingKeyRef: { kind: "api_key", apiKeyId },
        });
      }
    });
    const worker = startWorker(slowPoll.deps, [deliverWebhooksTask]);
    try {
      await rx.reached(total, to("/busy"));
    } finally {
      await worker.stop();
    }
  } finally {
    await slowPoll.close();
  }
});
