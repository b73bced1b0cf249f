// The worker's delivery pool: a receiver that hangs holds a bounded number of this process's slots,
// never the process. Messages to other endpoints queued behind a backlog of hanging ones are delivered
// at once, and stopping the worker waits for the requests in flight to be recorded.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { MAX_IN_FLIGHT, PER_ENDPOINT_IN_FLIGHT } from "../../src/app/outbox/deliver-webhooks.js";
import { enqueueWebhook } from "../../src/app/outbox/outbox.js";
import { deliverWebhooksTask } from "../../src/jobs/deliver-webhooks.js";
import { startWorker } from "../../src/main/worker.js";
import { createMerchant } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { type Receiver, startReceiver } from "../support/webhook-receiver.js";

const HANG_MS = 3000;
let h: Harness;
let rx: Receiver;

before(async () => {
  h = await createHarness({ config: { webhookTimeoutMs: 5000, pollIntervalMs: 20 } });
  rx = await startReceiver((r) => (r.url === "/hang" ? { status: 200, delayMs: HANG_MS } : { status: 200 }));
});
after(async () => {
  await rx.close();
  await h.close();
});

test("a backlog for a hanging endpoint does not hold back other endpoints; stop drains what is in flight", async () => {
  const m = await createMerchant(h.deps);
  const apiKeyId = (await h.deps.database.db.selectFrom("api_keys").select("id").where("merchant_id", "=", m.merchantId).executeTakeFirstOrThrow()).id;
  const hanging = MAX_IN_FLIGHT + 10; // more than a whole claim: the old batch-then-wait loop stalled the next batch
  await h.deps.database.db.transaction().execute(async (trx) => {
    for (let i = 0; i < hanging + 5; i++) {
      const path = i < hanging ? "/hang" : "/fast"; // the fast ones are queued last
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
  const t0 = Date.now();
  const worker = startWorker(h.deps, [deliverWebhooksTask]);
  try {
    while (rx.received.filter((r) => r.url === "/fast").length < 5) {
      assert.ok(Date.now() - t0 < HANG_MS - 300, "the other endpoint's messages are sent while the hanging ones are in flight");
      await new Promise((r) => setTimeout(r, 10));
    }
    const hangStarted = rx.received.filter((r) => r.url === "/hang").length;
    assert.ok(hangStarted >= PER_ENDPOINT_IN_FLIGHT, `${hangStarted} requests to the hanging endpoint started`);
    assert.ok(hangStarted < 2 * PER_ENDPOINT_IN_FLIGHT, `${hangStarted} requests to the hanging endpoint: bounded per endpoint`);
  } finally {
    await worker.stop();
  }
  // stop() returned after the in-flight requests were recorded: none is left leased to this process.
  const leased = await h.deps.database.db.selectFrom("webhook_messages").select("event_id").where("locked_by", "is not", null).execute();
  assert.deepEqual(leased, []);
  const fast = await h.deps.database.db.selectFrom("webhook_messages").select("status").where("url", "=", `${rx.url}/fast`).execute();
  assert.deepEqual(fast.map((r) => r.status), Array(5).fill("delivered"));
});

test("a busy endpoint is fed as fast as it answers, not once per poll interval", async () => {
  const slowPoll = await createHarness({ config: { pollIntervalMs: 5000 } });
  try {
    const m = await createMerchant(slowPoll.deps);
    const apiKeyId = (await slowPoll.deps.database.db.selectFrom("api_keys").select("id").where("merchant_id", "=", m.merchantId).executeTakeFirstOrThrow()).id;
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
    const t0 = Date.now();
    const worker = startWorker(slowPoll.deps, [deliverWebhooksTask]);
    try {
      while (rx.received.filter((r) => r.url === "/busy").length < total) {
        // Claiming only once per poll interval once the endpoint is saturated would take ~8 × 5 s.
        assert.ok(Date.now() - t0 < 4000, "the saturated endpoint is claimed for again as soon as its requests finish");
        await new Promise((r) => setTimeout(r, 10));
      }
    } finally {
      await worker.stop();
    }
  } finally {
    await slowPoll.close();
  }
});
