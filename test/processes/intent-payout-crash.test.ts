// Crash safety of crypto delivery (PostgreSQL, spawned worker processes): a worker is SIGKILLed in the
// middle of a payout — once after the payout key was recorded but before the send, once right after
// the chain accepted the send but before Rampart recorded it. After a restart the payout completes
// exactly once: one send on the chain, one tx hash, intent at 6, a clean ledger verify.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import { sandboxChainSends } from "../../src/adapters/chain/sandbox-chain.js";
import { payoutKeyFor } from "../../src/app/intents/payout.js";
import { verifyLedger } from "../../src/app/ledger/verify-ledger.js";
import { TestClock } from "../support/clock.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { INTENT_RATES_ENV, configureStore, paidIntent } from "../support/intents.js";
import { type ChannelFollower, followChannel } from "../support/notifications.js";
import { killPayoutWorkers, spawnPayoutWorker, untilIntentStatus } from "../support/payout-worker.js";
import { usePostgres } from "../support/test-db.js";

const skip = usePostgres() ? false : "needs PostgreSQL (set DATABASE_URL): the worker is a separate process";

let h: Harness;
let m: MerchantFixture;
let chainDir: string;
let intents: ChannelFollower;

before(async () => {
  if (skip) return;
  // The workers run on the real clock: start the test clock at the real time so due times agree.
  h = await createHarness({ env: INTENT_RATES_ENV, clock: new TestClock(new Date()), poolSize: 4 });
  m = await createMerchant(h.deps);
  await configureStore(h, m.storeId);
  chainDir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-chain-"));
  intents = await followChannel(h.deps.database, "intent_changed");
});
after(async () => {
  killPayoutWorkers();
  await intents?.stop();
  await h?.close();
  if (chainDir) fs.rmSync(chainDir, { recursive: true, force: true });
});

async function intentRow(id: string) {
  return h.deps.database.db.selectFrom("payment_intents").select(["status", "tx_hash"]).where("id", "=", id).executeTakeFirstOrThrow();
}

for (const hangAt of ["before_send", "after_send"] as const) {
  test(`worker killed ${hangAt.replace("_", " ")}: after restart exactly one send, one tx hash, clean ledger`, { skip, timeout: 300_000 }, async () => {
    const id = await paidIntent(h, m);
    const doomed = spawnPayoutWorker({ url: h.testDb.url!, dataDir: chainDir, hangAt });
    await doomed.waitFor(`hang:${hangAt}`);
    // The payout key is on record before anything reaches the chain.
    const payout = await h.deps.database.db.selectFrom("intent_payouts").selectAll().where("intent_id", "=", id).executeTakeFirstOrThrow();
    assert.equal(payout.payout_key, payoutKeyFor(id));
    assert.equal(sandboxChainSends(chainDir, payout.payout_key), hangAt === "after_send" ? 1 : 0);
    await doomed.kill("SIGKILL");
    assert.equal((await intentRow(id)).status, 5);

    // The dead worker's job lease runs for a minute; let it lapse instead of waiting.
    await sql`UPDATE jobs SET lease_until = now() - interval '1 second' WHERE status = 'running'`.execute(h.deps.database.db);
    const healthy = spawnPayoutWorker({ url: h.testDb.url!, dataDir: chainDir });
    await healthy.waitFor("ready");
    await untilIntentStatus(h, intents, id, 6);
    await healthy.kill("SIGTERM");

    const row = await intentRow(id);
    assert.equal(sandboxChainSends(chainDir, payout.payout_key), 1, "sent exactly once");
    assert.match(row.tx_hash ?? "", /^[0-9a-f]{64}$/);
    const events = await h.deps.database.db.selectFrom("payment_intent_events").select("to_status").where("intent_id", "=", id).execute();
    assert.deepEqual(events.map((e) => e.to_status).filter((s) => s === 6), [6], "one confirmation");
    const report = await verifyLedger(h.deps.database.db);
    assert.deepEqual(report.problems, []);
    assert.equal(report.ok, true);
  });
}
