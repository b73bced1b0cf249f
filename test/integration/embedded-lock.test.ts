import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { once } from "node:events";
import { test } from "node:test";
import { connectPGlite } from "../../src/db/connect.js";
import { DataDirLockedError } from "../../src/db/lock-file.js";
import { nodeEntry } from "../support/node-entry.js";

test("the lock file stops a second process from opening the embedded database", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-lock-"));
  const child = spawn(process.execPath, [...nodeEntry("test/support/hold-embedded-db.ts"), dir], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    const [chunk] = (await once(child.stdout!, "data")) as [Buffer];
    assert.match(chunk.toString(), /opened/);
    await assert.rejects(connectPGlite({ dataDir: dir }), (err: unknown) => {
      assert.ok(err instanceof DataDirLockedError);
      assert.match((err as Error).message, /in use by process \d+/);
      assert.match((err as Error).message, /DATABASE_URL/);
      return true;
    });
  } finally {
    child.kill("SIGTERM");
    await once(child, "exit");
  }
  // Once the holder is gone, the directory opens again (its lock was released).
  const database = await connectPGlite({ dataDir: dir });
  await database.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test("a lock left by a dead process is taken over", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-lock-"));
  fs.writeFileSync(path.join(dir, "rampart.lock"), "999999");
  const database = await connectPGlite({ dataDir: dir });
  await database.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
