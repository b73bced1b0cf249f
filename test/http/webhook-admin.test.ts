// /admin/v1/webhooks and `rampart webhooks`: list with filters and cursor, attempts, redelivery of one
// message and of an endpoint's failures (re-enabling it), operator auth.
import assert from "node:assert/strict";
import os from "node:os";
import { after, before, test } from "node:test";
import { runWebhookDelivery } from "../../src/app/outbox/deliver-webhooks.js";
import { enqueueWebhook } from "../../src/app/outbox/outbox.js";
import { setWebhookEndpointSecret } from "../../src/app/outbox/webhook-endpoints.js";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { auditEntryCount, lastAuditEntry } from "../support/audit-entries.js";
import { runCli } from "../support/run-cli.js";
import { type Receiver, startReceiver } from "../support/webhook-receiver.js";

let h: Harness;
let rx: Receiver;
let m: MerchantFixture;
let op: string;

before(async () => {
  h = await createHarness();
  rx = await startReceiver((r) => ({ status: r.url === "/gone" ? 410 : 200 }));
  m = await createMerchant(h.deps);
  op = await createOperatorKey(h.deps, "test");
  for (const p of ["/ok", "/gone"]) await setWebhookEndpointSecret(h.deps, h.deps.database.db, { merchantId: m.merchantId, url: `${rx.url}${p}`, secret: "s" });
  for (let i = 0; i < 5; i++) {
    await enqueueWebhook(h.deps.database.db, {
      merchantId: m.merchantId,
      format: "envelope",
      url: `${rx.url}${i === 4 ? "/gone" : "/ok"}`,
      eventId: `evt_admin_${i}`,
      orderingKey: `k${i}`,
      body: `{"i":${i}}`,
      signingKeyRef: { kind: "webhook_secret", merchantId: m.merchantId },
    });
  }
  while ((await runWebhookDelivery(h.deps)) > 0);
});
after(async () => {
  await rx.close();
  await h.close();
});

const get = (url: string, key: string | null = op) => h.app.inject({ method: "GET", url, headers: key ? { "x-operator-key": key } : {} });
const post = (url: string) => h.app.inject({ method: "POST", url, headers: { "x-operator-key": op } });

test("operator key required", async () => {
  assert.equal((await get("/admin/v1/webhooks/messages", null)).statusCode, 401);
  assert.equal((await get("/admin/v1/webhooks/messages", "rk_op_wrong")).statusCode, 401);
});

test("list: newest first, filters, cursor; limit outside 1 to 100 is 400", async () => {
  const p1 = (await get(`/admin/v1/webhooks/messages?merchantId=${m.merchantId}&limit=3`)).json();
  assert.deepEqual(p1.items.map((x: { eventId: string }) => x.eventId), ["evt_admin_4", "evt_admin_3", "evt_admin_2"]);
  const p2 = (await get(`/admin/v1/webhooks/messages?merchantId=${m.merchantId}&limit=3&cursor=${p1.nextCursor}`)).json();
  assert.deepEqual(p2.items.map((x: { eventId: string }) => x.eventId), ["evt_admin_1", "evt_admin_0"]);
  assert.equal(p2.nextCursor, null);
  const failed = (await get("/admin/v1/webhooks/messages?status=failed")).json();
  assert.deepEqual(failed.items.map((x: { eventId: string }) => x.eventId), ["evt_admin_4"]);
  for (const limit of ["0", "101", "999", "abc"]) {
    const r = await get(`/admin/v1/webhooks/messages?limit=${limit}`);
    assert.equal(r.statusCode, 400, `limit=${limit}: refused, not clamped`);
    assert.deepEqual([r.json().error, r.json().field], ["validation_failed", "limit"]);
  }
  assert.equal((await get("/admin/v1/webhooks/messages?status=bogus")).statusCode, 400);
  for (const cursor of ["abc", "9999999999999999999", "9223372036854775808"]) {
    const r = await get(`/admin/v1/webhooks/messages?cursor=${cursor}`);
    assert.deepEqual([r.statusCode, r.json().error, r.json().field], [400, "validation_failed", "cursor"], `cursor=${cursor}: ${r.body}`);
  }
  // The largest bigint is still a cursor (the ones above it would overflow in SQL).
  assert.equal((await get("/admin/v1/webhooks/messages?cursor=9223372036854775807")).statusCode, 200);
});

test("attempts of a message; unknown is 404", async () => {
  const r = (await get("/admin/v1/webhooks/messages/evt_admin_4/attempts")).json();
  assert.equal(r.message.status, "failed");
  assert.equal(r.attempts.length, 1);
  assert.equal(r.attempts[0].statusCode, 410);
  assert.equal(r.attempts[0].url, `${rx.url}/gone`);
  assert.equal((await get("/admin/v1/webhooks/messages/nope/attempts")).statusCode, 404);
});

test("redeliver one message: same event id, sent again; a pending one is 409", async () => {
  assert.equal((await post("/admin/v1/webhooks/messages/evt_admin_0/redeliver")).statusCode, 202);
  const again = await post("/admin/v1/webhooks/messages/evt_admin_0/redeliver");
  assert.equal(again.statusCode, 409);
  assert.equal(again.json().message, "Cannot redeliver a webhook message that is pending");
  const before = rx.received.length;
  await runWebhookDelivery(h.deps);
  const last = rx.received.at(-1)!;
  assert.equal(rx.received.length, before + 1);
  assert.equal(last.headers["x-rampart-event-id"], "evt_admin_0");
});

test("redeliver an endpoint's failures re-enables it", async () => {
  const msg = (await get("/admin/v1/webhooks/messages/evt_admin_4/attempts")).json().message;
  rx.setScript(() => ({ status: 200 }));
  const r = await post(`/admin/v1/webhooks/endpoints/${msg.endpointId}/redeliver-failed`);
  assert.equal(r.statusCode, 202);
  assert.equal(r.json().queued, 1);
  await runWebhookDelivery(h.deps);
  assert.equal((await get("/admin/v1/webhooks/messages/evt_admin_4/attempts")).json().message.status, "delivered");
  assert.equal((await post("/admin/v1/webhooks/endpoints/00000000-0000-0000-0000-000000000000/redeliver-failed")).statusCode, 404);
});

test("CLI: rampart webhooks list|redeliver against the same database", async (t) => {
  if (!h.testDb.url) return t.skip("PGlite: the CLI cannot share the test's in-memory database");
  const env = { DATABASE_URL: h.testDb.url, RAMPART_SECRET_KEY: h.deps.config.secretKey, LOG_LEVEL: "warn" };
  const list = await runCli(["webhooks", "list", "--merchant", m.merchantId, "--limit", "2"], env);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /evt_admin_4/);
  assert.match(list.stdout, /2 message\(s\); next page: --cursor \d+/);
  for (const limit of ["0", "101"]) {
    const refused = await runCli(["webhooks", "list", "--limit", limit], env);
    assert.equal(refused.code, 2, `--limit ${limit}: ${refused.stdout}`);
    assert.match(refused.stderr, /--limit must be a number from 1 to 100/);
  }
  const bad = await runCli(["webhooks", "redeliver"], env);
  assert.equal(bad.code, 2);
  const red = await runCli(["webhooks", "redeliver", "--event", "evt_admin_1"], env);
  assert.equal(red.code, 0, red.stderr);
  assert.match(red.stdout, /queued 1 message/);
  // Audited under the operator API's action name, by the OS user who ran it.
  const entry = await lastAuditEntry(h.deps);
  assert.deepEqual([entry.actor, entry.action, entry.subject, entry.details.via], [`cli:${os.userInfo().username}`, "webhooks.messages.redeliver", "evt_admin_1", "cli"]);
  const count = await auditEntryCount(h.deps);
  assert.equal((await runCli(["webhooks", "redeliver", "--event", "evt_admin_1"], env)).code, 1, "already pending: refused");
  assert.equal(await auditEntryCount(h.deps), count, "a refused command leaves no entry");
  const msg = await h.deps.database.db.selectFrom("webhook_messages").select("status").where("event_id", "=", "evt_admin_1").executeTakeFirstOrThrow();
  assert.equal(msg.status, "pending");
});
