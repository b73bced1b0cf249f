// Deleting a merchant's webhook endpoint while a fan-out that read it (and has not queued yet) is open: the delete waits
// for it (the endpoint rows are share-locked by the fan-out), so the fan-out's message is failed with
// the others instead of staying pending forever; a redelivery on the deleted endpoint is 404.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import { merchantEventFanOut, publishMerchantEvents } from "../../src/app/outbox/merchant-events.js";
import { createWebhookEndpoint, deleteWebhookEndpoint, redeliverEndpointMessage } from "../../src/app/outbox/merchant-webhook-endpoints.js";
import { createMerchant } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { usePostgres } from "../support/test-db.js";

let h: Harness;
before(async () => {
  h = await createHarness();
});
after(async () => {
  await h.close();
});

test("a delete waits for an open fan-out to its endpoint and fails the fan-out's message too", { skip: usePostgres() ? false : "PGlite runs one transaction at a time" }, async () => {
  const m = await createMerchant(h.deps);
  const e = await createWebhookEndpoint(h.deps, m.merchantId, { url: "https://hooks.example/a", eventTypes: ["*"] });
  let deleted: Promise<unknown> | undefined;
  await h.deps.database.db.transaction().execute(async (trx) => {
    // The fan-out has read the endpoints but not yet queued its message when the delete comes.
    const fanOut = await merchantEventFanOut(trx, [m.merchantId]);
    deleted = deleteWebhookEndpoint(h.deps, m.merchantId, e.endpointId);
    // The delete either finishes (nothing holds it) or waits on the fan-out's lock: whichever comes first.
    const waiting = (async () => {
      for (;;) {
        const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`.execute(h.deps.database.db);
        if (r.rows[0]!.n > 0) return;
      }
    })();
    await Promise.race([deleted, waiting]);
    await fanOut.publish([{ merchantId: m.merchantId, type: "payment.succeeded", key: "k1", orderingKey: "o1", createdAt: h.deps.clock.now(), data: {} }]);
  });
  await deleted;
  const rows = await h.deps.database.db.selectFrom("webhook_messages").select(["status", "last_error"]).where("endpoint_id", "=", e.endpointId).execute();
  assert.deepEqual(rows, [{ status: "failed", last_error: "endpoint deleted" }]);
});

test("redelivering a message of a deleted endpoint is 404", async () => {
  const m = await createMerchant(h.deps);
  const e = await createWebhookEndpoint(h.deps, m.merchantId, { url: "https://hooks.example/b", eventTypes: ["*"] });
  await h.deps.database.db.transaction().execute((trx) =>
    publishMerchantEvents(trx, [{ merchantId: m.merchantId, type: "payment.succeeded", key: "k2", orderingKey: "o2", createdAt: h.deps.clock.now(), data: {} }]),
  );
  const [msg] = await h.deps.database.db.selectFrom("webhook_messages").select("event_id").where("endpoint_id", "=", e.endpointId).execute();
  await deleteWebhookEndpoint(h.deps, m.merchantId, e.endpointId);
  await assert.rejects(redeliverEndpointMessage(h.deps, m.merchantId, e.endpointId, msg!.event_id), (err: { code?: string }) => err.code === "not_found");
});
