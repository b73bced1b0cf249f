// The webhook claim and the attempts' recording do work in proportion to what they take, whatever the
// table's statistics say. Statistics taken while nothing was pending (after quiet hours, before a
// burst) once made a claim compare every pending message with every other: a backlog of 5,000 took
// about 7 s a claim (docs/benchmarks.md). Current statistics on a table whose delivered history
// dwarfs its backlog must not make it read that history either. Each test counts the rows its plans
// handled (test/support/explain-analyze.ts), which does not depend on the machine's speed.
import assert from "node:assert/strict";
import { test } from "node:test";
import { sql } from "kysely";
import { enqueueWebhook } from "../../src/app/outbox/outbox.js";
import { claimDueMessages, recordAttempts } from "../../src/db/outbox/webhooks.js";
import { createMerchant } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { explainAnalyze, planWork } from "../support/explain-analyze.js";

/** Pending messages in the backlog; two to an ordering key, so the ordering probe finds an earlier one for half. */
const BACKLOG = 5000;
const ENDPOINTS = 4;
const CLAIM = 200;
/**
 * Rows a plan may handle per message claimed (the claim walks the due messages in order and stops at
 * its limit, 0092_w: each walked message's ordering probe, then the lock and the update of those
 * claimed), per pending message (a claim planned without statistics reads every due message once) and
 * per attempt (the recording: the rows in, the attempt, the message). A plan that compares each message
 * with every other handles millions.
 */
const WORK_PER_CLAIMED = 25;
const WORK_PER_MESSAGE = 12;
const WORK_PER_ATTEMPT = 15;

async function withBacklog(run: (h: Harness) => Promise<void>): Promise<void> {
  const h = await createHarness();
  try {
    // Each test sets the statistics it is about; autovacuum must not take fresh ones meanwhile.
    await sql`ALTER TABLE webhook_messages SET (autovacuum_enabled = false)`.execute(h.deps.database.db);
    await sql`ALTER TABLE webhook_endpoints SET (autovacuum_enabled = false)`.execute(h.deps.database.db);
    const m = await createMerchant(h.deps);
    // One message per endpoint through the outbox, then the backlog as copies of them (fast at this size).
    await h.deps.database.db.transaction().execute(async (trx) => {
      for (let e = 0; e < ENDPOINTS; e++) {
        await enqueueWebhook(trx, { merchantId: m.merchantId, format: "trading", url: `http://e${e}.example/hook`, eventId: `evt_${e}`, orderingKey: `payin_${e}`, body: "{}", signingKeyRef: { kind: "api_key", apiKeyId: m.apiKeyId } });
      }
    });
    // Message g goes to endpoint g % ENDPOINTS, as a copy of that endpoint's first.
    await sql`
      INSERT INTO webhook_messages (event_id, merchant_id, endpoint_id, format, url, ordering_key, body, signing_key_ref, next_attempt_at)
      SELECT 'evt_' || g, merchant_id, endpoint_id, format, url, 'payin_' || (g % ${BACKLOG / 2}::integer), body, signing_key_ref, next_attempt_at
      FROM generate_series(${ENDPOINTS}::integer, ${BACKLOG - 1}::integer) g JOIN webhook_messages first ON first.event_id = 'evt_' || (g % ${ENDPOINTS}::integer)`.execute(h.deps.database.db);
    await run(h);
  } finally {
    await h.close();
  }
}

function claim(h: Harness, db = h.deps.database.db) {
  const now = new Date(h.deps.clock.now().getTime() + 1000);
  return claimDueMessages(db, { now, lease: { from: new Date(now.getTime() + 20_000), perRound: 8, roundMs: 10_000 }, workerId: "w1", limit: CLAIM, perEndpoint: 64 });
}

/** Explains a claim, then claims for real and explains recording those attempts; returns both plans' work. */
async function claimAndRecordWork(h: Harness): Promise<{ claim: number; record: number }> {
  const explained = explainAnalyze(h.deps.database.db);
  await claim(h, explained.db);
  // EXPLAIN ANALYZE ran the claim: its leases are taken; a later clock claims the same first rows again.
  await sql`UPDATE webhook_messages SET lease_until = NULL, locked_by = NULL, attempts = 0 WHERE status = 'pending'`.execute(h.deps.database.db);
  const claimed = await claim(h);
  assert.equal(claimed.length, CLAIM);
  const seqs = claimed.map((r) => r.seq);
  const at = h.deps.clock.now();
  await recordAttempts(
    explained.db,
    "w1",
    claimed.map((r, k) => ({ id: h.deps.ids.uuid(), seq: r.seq, attempts: r.attempts, at, url: r.url, statusCode: 200, latencyMs: k, responseBody: "ok", attemptError: null, now: at, status: "delivered" as const })),
  );
  const delivered = await sql<{ n: string }>`SELECT count(*) AS n FROM webhook_messages WHERE seq = ANY(${seqs}::bigint[]) AND status = 'delivered'`.execute(h.deps.database.db);
  assert.equal(Number(delivered.rows[0]!.n), CLAIM, "the explained recording ran");
  return { claim: planWork(explained.plans[0]!), record: planWork(explained.plans[1]!) };
}

/** `claimBound`: the rows the claim's plan may handle. */
function assertBounded(work: { claim: number; record: number }, claimBound: number) {
  assert.ok(work.claim <= claimBound, `the claim's plan handled ${work.claim} rows to claim ${CLAIM} of ${BACKLOG} pending messages`);
  assert.ok(work.record <= WORK_PER_ATTEMPT * CLAIM, `the recording's plan handled ${work.record} rows for ${CLAIM} attempts`);
}

test("on statistics taken while nothing was pending, a claim stops at its limit and its recording stays in proportion to it", async () => {
  await withBacklog(async (h) => {
    const db = h.deps.database.db;
    await sql`UPDATE webhook_messages SET status = 'delivered', delivered_at = now()`.execute(db);
    await sql`ANALYZE webhook_messages, webhook_endpoints`.execute(db);
    await sql`UPDATE webhook_messages SET status = 'pending', delivered_at = NULL`.execute(db);
    assertBounded(await claimAndRecordWork(h), WORK_PER_CLAIMED * CLAIM);
  });
});

test("on tables never analyzed, a claim and its recording stay in proportion to the backlog", async () => {
  await withBacklog(async (h) => {
    assertBounded(await claimAndRecordWork(h), WORK_PER_MESSAGE * BACKLOG);
  });
});

test("on current statistics, a claim stops at its limit and reads none of the delivered history behind the backlog", async () => {
  await withBacklog(async (h) => {
    const db = h.deps.database.db;
    // Twenty times the backlog of delivered messages, three to an ordering key, as a day's payments leave them.
    await sql`
      INSERT INTO webhook_messages (event_id, merchant_id, endpoint_id, format, url, ordering_key, body, signing_key_ref, next_attempt_at, status, delivered_at, attempts)
      SELECT 'evt_old_' || g, merchant_id, endpoint_id, format, url, 'old_' || (g / 3), body, signing_key_ref, next_attempt_at, 'delivered', now(), 1
      FROM (SELECT * FROM webhook_messages LIMIT 1) one, generate_series(1, ${20 * BACKLOG}::integer) g`.execute(db);
    await sql`ANALYZE webhook_messages, webhook_endpoints`.execute(db);
    assertBounded(await claimAndRecordWork(h), WORK_PER_CLAIMED * CLAIM);
  });
});
