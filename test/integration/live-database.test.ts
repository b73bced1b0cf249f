// The live marker (migration 0021): once a database ran in live mode, the sandbox seed refuses it and
// writes nothing.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { markDatabaseLive } from "../../src/app/ops/live-database.js";
import { seedSandbox } from "../../src/app/sandbox/seed.js";
import { AppError } from "../../src/core/shared/errors.js";
import { createHarness, type Harness } from "../support/harness.js";

let h: Harness;
before(async () => {
  h = await createHarness();
});
after(() => h?.close());

const merchants = async () =>
  Number((await h.deps.database.db.selectFrom("merchants").select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow()).n);

test("the sandbox seed refuses a database marked live, and writes nothing", async () => {
  await markDatabaseLive(h.deps.database.db);
  await markDatabaseLive(h.deps.database.db); // every live start marks it again: no error
  await assert.rejects(seedSandbox(h.deps), (e: unknown) => e instanceof AppError && e.code === "forbidden" && /has run in live mode/.test(e.message));
  assert.equal(await merchants(), 0);
});
