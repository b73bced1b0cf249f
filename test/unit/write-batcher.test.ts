// The write batcher under failure and overload: a failed batch's members are run again one at a time
// (never more transactions than its in-flight bound), and a full queue refuses with a stable 503. And
// its order of work: the next batch's first statement leaves before the last batch's answers render.
import assert from "node:assert/strict";
import { test } from "node:test";
import { writeBatcher } from "../../src/app/batching/write-batcher.js";
import type { Database } from "../../src/db/connect.js";
import { AppError } from "../../src/core/shared/errors.js";

/** A run held until the test opens the gate; it counts runs going on at once and fails any batch of several. */
function gatedRun() {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const state = { active: 0, most: 0, open };
  const run = async (_db: Database, items: number[]) => {
    state.active++;
    state.most = Math.max(state.most, state.active);
    try {
      await gate;
      if (items.length > 1) throw new Error("batch failed");
      return items.map((i) => i * 10);
    } finally {
      state.active--;
    }
  };
  return { state, run };
}

test("a failed batch's members are run again one after another, within the in-flight bound", async () => {
  const { state, run } = gatedRun();
  const write = writeBatcher(run, { maxBatch: 8 });
  const db = {} as Database;
  // The first goes at once and holds the gate; the next ones queue and go as one batch, which fails.
  const outs = [1, 2, 3, 4, 5].map((i) => write(db, i));
  state.open();
  assert.deepEqual(await Promise.all(outs), [10, 20, 30, 40, 50]);
  assert.equal(state.most, 1, "never more than one transaction at once");
});

test("a full queue refuses with service_unavailable instead of growing", async () => {
  const { state, run } = gatedRun();
  const write = writeBatcher(run, { maxBatch: 1, maxQueued: 2 });
  const db = {} as Database;
  const first = write(db, 1); // in flight, holding the gate
  const queued = [write(db, 2), write(db, 3)];
  await assert.rejects(write(db, 4), (e: unknown) => e instanceof AppError && e.code === "service_unavailable");
  state.open();
  assert.deepEqual(await Promise.all([first, ...queued]), [10, 20, 30]);
});

test("the next batch's first statement leaves before the batch before it is answered", async () => {
  const events: string[] = [];
  let release!: () => void;
  const firstHeld = new Promise<void>((r) => (release = r));
  let runs = 0;
  const run = async (_db: Database, items: number[]) => {
    const n = ++runs;
    // A driver's promise hops before its statement reaches the socket (connection, BEGIN, compile).
    for (let hop = 0; hop < 5; hop++) await Promise.resolve();
    events.push(`batch ${n} sent`);
    if (n === 1) await firstHeld;
    return items;
  };
  const write = writeBatcher(run, { maxBatch: 8 });
  const db = {} as Database;
  const answered = [1, 2, 3].map((i) => write(db, i).then(() => events.push(`${i} answered`)));
  release();
  await Promise.all(answered);
  assert.deepEqual(events, ["batch 1 sent", "batch 2 sent", "1 answered", "2 answered", "3 answered"]);
});
