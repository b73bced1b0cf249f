// The webhook claim's bounds and leases, and the release of claimed messages never sent. A worker
// queues what it holds of an endpoint behind that endpoint's requests in flight, so a message's lease
// must cover the request rounds ahead of it; a stopping worker gives its queue back with the attempt
// the claim counted taken back.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import { createDeliveryPool, PER_ENDPOINT_IN_FLIGHT } from "../../src/app/outbox/deliver-webhooks.js";
import { enqueueWebhook } from "../../src/app/outbox/outbox.js";
import type { WebhookResponse } from "../../src/app/ports.js";
import { claimDueMessages, releaseMessages } from "../../src/db/outbox/webhooks.js";
import { createMerchant } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";

let h: Harness;
before(async () => {
  h = await createHarness();
});
after(async () => {
  await h.close();
});

/** Enqueues `n` messages to `url`, due now, in order. */
async function enqueue(merchantId: string, apiKeyId: string, url: string, n: number, tag: string) {
  await h.deps.database.db.transaction().execute(async (trx) => {
    for (let i = 0; i < n; i++) {
      await enqueueWebhook(trx, { merchantId, format: "trading", url, eventId: `evt_${tag}_${i}`, orderingKey: `${tag}_${i}`, body: "{}", signingKeyRef: { kind: "api_key", apiKeyId } });
    }
  });
}

test("a claim holds at most perEndpoint per endpoint and leases each row for the rounds queued ahead of it", async () => {
  const m = await createMerchant(h.deps);
  const apiKeyId = m.apiKeyId;
  await enqueue(m.merchantId, apiKeyId, "http://a.example/hook", 50, "a");
  await enqueue(m.merchantId, apiKeyId, "http://b.example/hook", 3, "b");
  const now = h.deps.clock.now();
  const from = new Date(now.getTime() + 20_000);
  const claim = (busy: [string, number][]) =>
    claimDueMessages(h.deps.database.db, { now, lease: { from, perRound: 16, roundMs: 1000 }, workerId: "w1", limit: 1000, perEndpoint: 40, busy });
  const leases = async (ids: string[]) => {
    const rows = await h.deps.database.db.selectFrom("webhook_messages").select(["event_id", "lease_until"]).where("event_id", "in", ids).orderBy("seq").execute();
    return rows.map((r) => (new Date(r.lease_until!).getTime() - from.getTime()) / 1000);
  };

  const first = await claim([]);
  const a = first.filter((r) => r.url.startsWith("http://a.")).map((r) => r.event_id);
  const b = first.filter((r) => r.url.startsWith("http://b.")).map((r) => r.event_id);
  assert.equal(a.length, 40, "endpoint a: its bound");
  assert.equal(b.length, 3);
  // 16 requests a round: slots 1-16 one timeout, 17-32 two, 33-40 three.
  assert.deepEqual(await leases(a), [...Array(16).fill(1), ...Array(16).fill(2), ...Array(8).fill(3)]);
  assert.deepEqual(await leases(b), [1, 1, 1]);

  // Holding all 40 of a's (and b's 3): nothing more of a; held ones count ahead of new ones' slots.
  const aId = first.find((r) => r.url.startsWith("http://a."))!.endpoint_id;
  assert.deepEqual(await claim([[aId, 40]]), []);
  // As if the worker held only 30: the next 10 rows take slots 31-40 (two rounds for 31-32, three after).
  // They are the rows claimed above, so only after their leases end; here, a fresh clock past them.
  const later = new Date(from.getTime() + 60_000);
  const next = await claimDueMessages(h.deps.database.db, {
    now: later,
    lease: { from: later, perRound: 16, roundMs: 1000 },
    workerId: "w2",
    limit: 10,
    perEndpoint: 40,
    busy: [[aId, 30]],
  });
  assert.equal(next.length, 10);
  const rows = await h.deps.database.db.selectFrom("webhook_messages").select("lease_until").where("event_id", "in", next.map((r) => r.event_id)).orderBy("seq").execute();
  assert.deepEqual(
    rows.map((r) => (new Date(r.lease_until!).getTime() - later.getTime()) / 1000),
    [2, 2, 3, 3, 3, 3, 3, 3, 3, 3],
  );
});

test("release gives back only what the worker still holds, with the claim's attempt taken back", async () => {
  const m = await createMerchant(h.deps);
  const apiKeyId = m.apiKeyId;
  // Only this test's messages are due.
  await h.deps.database.db.updateTable("webhook_messages").set({ status: "delivered" }).where("status", "=", "pending").execute();
  await enqueue(m.merchantId, apiKeyId, "http://c.example/hook", 3, "c");
  const now = h.deps.clock.now();
  const claimed = await claimDueMessages(h.deps.database.db, {
    now,
    lease: { from: new Date(now.getTime() + 20_000), perRound: 32, roundMs: 1000 },
    workerId: "w1",
    limit: 10,
    perEndpoint: 10,
  });
  assert.equal(claimed.length, 3);
  // The third was taken over by another worker meanwhile (its lease ran out): not w1's to give back.
  const [one, two, three] = claimed;
  await h.deps.database.db.updateTable("webhook_messages").set({ locked_by: "w2", attempts: 2 }).where("seq", "=", three!.seq).execute();
  await releaseMessages(h.deps.database.db, "w1", claimed);
  const rows = await h.deps.database.db.selectFrom("webhook_messages").select(["seq", "locked_by", "lease_until", "attempts"]).where("seq", "in", [one!.seq, two!.seq, three!.seq]).orderBy("seq").execute();
  assert.deepEqual(
    rows.map((r) => [r.locked_by, r.lease_until, r.attempts]),
    [
      [null, null, 0],
      [null, null, 0],
      ["w2", rows[2]!.lease_until, 2],
    ],
  );
  // Given back, they are claimable again at once.
  const again = await claimDueMessages(h.deps.database.db, { now, lease: { from: now, perRound: 32, roundMs: 1000 }, workerId: "w3", limit: 10, perEndpoint: 10 });
  assert.deepEqual(again.map((r) => r.seq).sort(), [one!.seq, two!.seq].sort());
});

test("a queued message whose lease would run out before its request's timeout is given back, not sent", async () => {
  const m = await createMerchant(h.deps);
  const apiKeyId = m.apiKeyId;
  await h.deps.database.db.updateTable("webhook_messages").set({ status: "delivered" }).where("status", "=", "pending").execute();
  const queued = 4;
  await enqueue(m.merchantId, apiKeyId, "http://d.example/hook", PER_ENDPOINT_IN_FLIGHT + queued, "d");
  // A receiver that answers nothing until the test says so.
  let answer!: () => void;
  const answered = new Promise<void>((r) => (answer = r));
  let sent = 0;
  let allSlotsTaken!: () => void;
  const slotsTaken = new Promise<void>((r) => (allSlotsTaken = r));
  const timeoutMs = 1000;
  const deps = {
    ...h.deps,
    config: { ...h.deps.config, webhookTimeoutMs: timeoutMs },
    ports: {
      ...h.deps.ports,
      webhooks: {
        name: "test",
        send: async (): Promise<WebhookResponse> => {
          if (++sent === PER_ENDPOINT_IN_FLIGHT) allSlotsTaken();
          await answered;
          return { kind: "response", status: 200, headers: {}, body: "", truncated: false, latencyMs: 1 };
        },
      },
    },
  };
  const pool = createDeliveryPool(deps, { workerId: "wd" });
  assert.equal(await pool.runOnce(), PER_ENDPOINT_IN_FLIGHT + queued);
  await slotsTaken;
  // The queued ones' lease is 20 s + two timeouts from the claim. Their slots free (as when the process's
  // slots are shared by many hanging endpoints) only when less than a timeout and a margin is left.
  h.clock.advance(20_000 + timeoutMs);
  answer();
  // Every slot's request finishes; the pool starts (or gives back) the queued ones at once.
  await new Promise((r) => setImmediate(r));
  await pool.drain();
  assert.equal(sent, PER_ENDPOINT_IN_FLIGHT, "no request started on a lease that could run out");
  const rows = await h.deps.database.db
    .selectFrom("webhook_messages")
    .select(["status", "locked_by", "attempts"])
    .where("url", "=", "http://d.example/hook")
    .execute();
  const state = rows.map((r) => `${r.status} ${r.locked_by} ${r.attempts}`);
  assert.equal(state.filter((x) => x === "delivered null 1").length, PER_ENDPOINT_IN_FLIGHT);
  assert.equal(state.filter((x) => x === "pending null 0").length, queued, "the queued ones given back, their attempt taken back");
});

// 0091_w: a burst after quiet hours must not be claimed for long on statistics that say nothing is
// pending (docs/operations.md, RampartWebhooksBacklog): the table is analyzed after 1,000 changed rows,
// not after a tenth of its delivered history.
test("autovacuum analyzes webhook_messages after 1,000 changed rows, whatever the table's size", async () => {
  const { rows } = await sql<{ reloptions: string[] | null }>`SELECT reloptions FROM pg_class WHERE oid = 'webhook_messages'::regclass`.execute(h.deps.database.db);
  assert.deepEqual([...(rows[0]!.reloptions ?? [])].sort(), ["autovacuum_analyze_scale_factor=0", "autovacuum_analyze_threshold=1000"]);
});
