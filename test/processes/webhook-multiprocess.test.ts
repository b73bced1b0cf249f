// Several worker processes on one PostgreSQL: 3 spawned workers deliver 5,000 webhooks to a loopback
// receiver; one is SIGKILLed midway. Every event arrives at least once; duplicates are only messages the
// killed worker held, claimed and not yet recorded (same event id, same bytes); none is lost.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { after, before, test } from "node:test";
import { MAX_HELD } from "../../src/app/outbox/deliver-webhooks.js";
import { enqueueWebhook } from "../../src/app/outbox/outbox.js";
import { createMerchant } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { nodeEntry } from "../support/node-entry.js";
import { announceStatusChanges, type ChannelFollower, followChannel, untilAnnounced } from "../support/notifications.js";
import { usePostgres } from "../support/test-db.js";
import { type Receiver, startReceiver } from "../support/webhook-receiver.js";

const TOTAL = 5000;
const ROOT = path.resolve(import.meta.dirname, "../..");
const skip = usePostgres() ? false : "needs PostgreSQL (set DATABASE_URL): PGlite is one embedded session, not shared by processes";

let h: Harness;
let rx: Receiver;
let messages: ChannelFollower;
/** Event ids the receiver has seen; `arrived` resolves once all TOTAL have come at least once. */
const seen = new Set<string>();
let everyEventArrived!: () => void;
const arrived = new Promise<void>((r) => (everyEventArrived = r));
const workers: ChildProcess[] = [];

before(async () => {
  if (skip) return;
  h = await createHarness({ poolSize: 4 });
  rx = await startReceiver((r) => {
    seen.add(String(r.headers["x-rampart-event-id"]));
    if (seen.size === TOTAL) everyEventArrived();
    return { status: 200, body: "ok" };
  });
  await announceStatusChanges(h.deps.database.db, "test_status", ["webhook_messages"]);
  messages = await followChannel(h.deps.database, "test_status");
});
after(async () => {
  await messages?.stop();
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill("SIGKILL");
  await rx?.close();
  await h?.close();
});

/** A worker process and the id it leases its claims under (its "ready <id>" line). */
function spawnWorker(url: string): Promise<{ child: ChildProcess; workerId: string }> {
  const child = spawn(process.execPath, [...nodeEntry("test/support/worker-process.ts"), url], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  workers.push(child);
  let out = "";
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`worker exited early (${code})`)));
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      const m = /^ready (\S+)\n/m.exec(out);
      if (m) resolve({ child, workerId: m[1]! });
    });
  });
}

test("3 worker processes, 5,000 webhooks, one SIGKILLed midway: none lost, duplicates only what it held", { skip, timeout: 600_000 }, async () => {
  const m = await createMerchant(h.deps);
  const apiKeyId = m.apiKeyId;
  for (let chunk = 0; chunk < TOTAL; chunk += 500) {
    await h.deps.database.db.transaction().execute(async (trx) => {
      for (let i = chunk; i < chunk + 500; i++) {
        await enqueueWebhook(trx, {
          merchantId: m.merchantId,
          format: "trading",
          url: `${rx.url}/hook`,
          eventId: `evt_mp_${i}`,
          orderingKey: `payin_${i}`,
          body: JSON.stringify({ id: `payin_${i}`, status: "closed" }),
          signingKeyRef: { kind: "api_key", apiKeyId },
        });
      }
    });
  }
  const url = h.testDb.url!;
  const [victim] = await Promise.all([spawnWorker(url), spawnWorker(url), spawnWorker(url)]);
  await rx.reached(TOTAL * 0.3);
  victim!.child.removeAllListeners("exit");
  const killed = new Promise((r) => victim!.child.once("exit", r));
  victim!.child.kill("SIGKILL");
  const receivedAtKill = rx.received.length;
  await killed;
  // The killed worker's leases run 20 s and more (LEASE_MARGIN_MS plus its queue's request rounds), all
  // of it idle here. It is dead, so its leases are ended as their time passing would end them, and the
  // survivors must claim its messages again through the expired-lease path, as they would after it.
  const orphaned = await h.deps.database.db
    .updateTable("webhook_messages")
    .set({ lease_until: new Date(0) })
    .where("locked_by", "=", victim!.workerId)
    .where("status", "=", "pending")
    .executeTakeFirst();
  process.stdout.write(`# ${orphaned.numUpdatedRows} messages were leased to the killed worker\n`);
  const delivered = async () =>
    Number(
      (await h.deps.database.db.selectFrom("webhook_messages").select((eb) => eb.fn.countAll().as("n")).where("status", "=", "delivered").executeTakeFirstOrThrow()).n,
    ) === TOTAL;
  // First every event reaches the receiver (its own count: no database reads while the workers deliver,
  // which would slow the receiver in this process), then the database is re-checked on each commit that
  // changes a message's status until the last deliveries are recorded (the killed worker's leased
  // messages are delivered again once a survivor claims them after their lease).
  await arrived;
  await untilAnnounced(messages, "webhook_messages", delivered);

  const counts = new Map<string, number>();
  const bodies = new Map<string, string>();
  for (const r of rx.received) {
    const id = String(r.headers["x-rampart-event-id"]);
    counts.set(id, (counts.get(id) ?? 0) + 1);
    if (bodies.has(id)) assert.equal(r.body, bodies.get(id), "a duplicate carries the same bytes");
    bodies.set(id, r.body);
  }
  for (let i = 0; i < TOTAL; i++) assert.ok(counts.get(`evt_mp_${i}`)! >= 1, `evt_mp_${i} received`);
  assert.equal(counts.size, TOTAL, "no unknown events");
  const dupes = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
  assert.ok(dupes.length <= MAX_HELD, `${dupes.length} duplicates: at most what the killed worker held`);
  if (dupes.length > 0) {
    const rows = await h.deps.database.db.selectFrom("webhook_messages").select(["event_id", "attempts"]).where("event_id", "in", dupes).execute();
    for (const r of rows) assert.ok(r.attempts >= 2, `${r.event_id} was claimed again after its lease expired`);
  }
  const twiceRecorded = await h.deps.database.db
    .selectFrom("webhook_attempts")
    .select("message_seq")
    .where("status_code", "=", 200)
    .groupBy("message_seq")
    .having((eb) => eb.fn.countAll(), ">", 1)
    .execute();
  assert.deepEqual(twiceRecorded, [], "no message was delivered twice by live workers");
  process.stdout.write(`# received ${rx.received.length} requests (${receivedAtKill} before the kill), ${dupes.length} duplicates\n`);
});
