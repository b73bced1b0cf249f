// Crash safety of EVM payouts (PostgreSQL, real anvil, spawned worker processes): a worker is SIGKILLed
// once after the payout's transaction was signed and recorded but before it was broadcast, once right
// after the node accepted it but before Rampart recorded the answer. After a restart the payout is on
// chain exactly once: the recipient holds exactly the amount, one signed transaction, one nonce, intent
// at 6 with that transaction's hash, a clean ledger. Two workers paying from one hot wallet at once take
// their nonces one at a time through the database: consecutive, none twice, every payout paid once.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import type { Hex } from "viem";
import { payoutKeyFor } from "../../src/app/intents/payout.js";
import { verifyLedger } from "../../src/app/ledger/verify-ledger.js";
import { publicClient, tokenBalance } from "../support/anvil.js";
import { TestClock } from "../support/clock.js";
import { type EvmSetup, evmPayoutTxs, freshAddress, paidEvmIntent, startEvm } from "../support/evm.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { INTENT_RATES_ENV, configureStore } from "../support/intents.js";
import { type ChannelFollower, followChannel } from "../support/notifications.js";
import { killPayoutWorkers, spawnPayoutWorker, untilIntentStatus } from "../support/payout-worker.js";
import { usePostgres } from "../support/test-db.js";

const skip = usePostgres() ? false : "needs PostgreSQL (set DATABASE_URL): the worker is a separate process";

let evm: EvmSetup;
let h: Harness;
let m: MerchantFixture;
let dataDir: string;
let intents: ChannelFollower;

before(async () => {
  if (skip) return;
  // One confirmation: anvil mines each transaction at once, so the first poll after it confirms.
  evm = await startEvm({ confirmations: 1 });
  // The workers run on the real clock: start the test clock at the real time so due times agree.
  h = await createHarness({ env: INTENT_RATES_ENV, clock: new TestClock(new Date()), poolSize: 4 });
  m = await createMerchant(h.deps);
  await configureStore(h, m.storeId);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-evm-worker-"));
  intents = await followChannel(h.deps.database, "intent_changed");
});
after(async () => {
  killPayoutWorkers();
  await intents?.stop();
  await h?.close();
  await evm?.anvil.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

async function intentRow(id: string) {
  return h.deps.database.db.selectFrom("payment_intents").select(["status", "tx_hash", "crypto_minor"]).where("id", "=", id).executeTakeFirstOrThrow();
}

for (const hangAt of ["after_sign", "after_send"] as const) {
  test(`worker killed ${hangAt.replace("_", " ")}: after restart the payout is on chain exactly once`, { skip, timeout: 300_000 }, async () => {
    const recipient = freshAddress();
    const id = await paidEvmIntent(h, m, recipient);
    const key = payoutKeyFor(id);
    const doomed = spawnPayoutWorker({ url: h.testDb.url!, dataDir, env: evm.env, hangAt });
    await doomed.waitFor(`hang:${hangAt}`);
    // The signed transaction is on record before anything reaches the node.
    const [signed] = await evmPayoutTxs(h.deps, key);
    assert.ok(signed, "signed and recorded");
    const onChain = await publicClient(evm.anvil).getTransactionReceipt({ hash: signed.tx_hash as Hex }).catch(() => null);
    assert.equal(onChain !== null, hangAt === "after_send", hangAt === "after_send" ? "broadcast and mined" : "not broadcast yet");
    await doomed.kill("SIGKILL");
    assert.equal((await intentRow(id)).status, 5);

    // The dead worker's job lease runs for a minute; let it lapse instead of waiting.
    await sql`UPDATE jobs SET lease_until = now() - interval '1 second' WHERE status = 'running'`.execute(h.deps.database.db);
    const healthy = spawnPayoutWorker({ url: h.testDb.url!, dataDir, env: evm.env });
    await healthy.waitFor("ready");
    await untilIntentStatus(h, intents, id, 6);
    await healthy.kill("SIGTERM");

    const row = await intentRow(id);
    assert.equal(row.tx_hash, signed.tx_hash, "the recorded transaction, not a new one");
    assert.equal(await tokenBalance(evm.anvil, evm.token, recipient), BigInt(row.crypto_minor), "paid exactly once");
    assert.equal((await evmPayoutTxs(h.deps, key)).length, 1, "one signed transaction, one nonce");
    const events = await h.deps.database.db.selectFrom("payment_intent_events").select("to_status").where("intent_id", "=", id).execute();
    assert.deepEqual(events.map((e) => e.to_status).filter((s) => s === 6), [6], "one confirmation");
    const report = await verifyLedger(h.deps.database.db);
    assert.deepEqual(report.problems, []);
  });
}

test("two worker processes paying from one hot wallet at once: consecutive nonces, none twice, every payout paid once", { skip, timeout: 300_000 }, async () => {
  const recipients = Array.from({ length: 12 }, () => freshAddress());
  // Every payout job is due before either worker starts, so both claim from the same queue at once.
  const ids: string[] = [];
  for (const r of recipients) ids.push(await paidEvmIntent(h, m, r));
  const workers = [spawnPayoutWorker({ url: h.testDb.url!, dataDir, env: evm.env }), spawnPayoutWorker({ url: h.testDb.url!, dataDir, env: evm.env })];
  await Promise.all(workers.map((w) => w.waitFor("ready")));
  for (const id of ids) await untilIntentStatus(h, intents, id, 6);
  await Promise.all(workers.map((w) => w.kill("SIGTERM")));

  const keys = ids.map(payoutKeyFor);
  const payouts = await h.deps.database.db.selectFrom("evm_payouts").select(["payout_key", "nonce"]).where("payout_key", "in", keys).execute();
  assert.equal(payouts.length, ids.length);
  const nonces = payouts.map((p) => BigInt(p.nonce)).sort((a, b) => (a < b ? -1 : 1));
  for (let i = 1; i < nonces.length; i++) assert.equal(nonces[i], nonces[0]! + BigInt(i), "no gap, no repeat");
  for (const [i, id] of ids.entries()) {
    const row = await intentRow(id);
    assert.equal(await tokenBalance(evm.anvil, evm.token, recipients[i]!), BigInt(row.crypto_minor), "paid exactly once");
    assert.equal((await evmPayoutTxs(h.deps, payoutKeyFor(id))).length, 1, "one signed transaction");
  }
  assert.deepEqual((await verifyLedger(h.deps.database.db)).problems, []);
});
