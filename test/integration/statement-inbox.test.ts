// The watched inbox folder (RAMPART_BANK_INBOX_DIR, app/bank-statements/statement-inbox.ts): two
// workers polling the same folder at once import every file exactly once (rename claim), a file whose
// content was imported before is not imported again, a bad file goes to failed/ with the error, and
// every file ends in processed/ or failed/ beside its report; a file left in .claimed/ by a dead
// worker (or a claim older than the bound) is recovered and imported, changing nothing already imported;
// a recovered file over the size limit is refused without being read.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, truncate, utimes, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { importBankStatement } from "../../src/app/bank-statements/import-statement.js";
import { CLAIM_STALE_MS, pollStatementInbox } from "../../src/app/bank-statements/statement-inbox.js";
import { createHarness, type Harness } from "../support/harness.js";
import { camt053 } from "../support/statements.js";

const ACCOUNT = "DE89370400440532013000";
let h: Harness;
let dir: string;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "rampart-inbox-"));
  h = await createHarness({ env: { RAMPART_BANK_INBOX_DIR: dir } });
});
after(async () => {
  await h?.close();
  await rm(dir, { recursive: true, force: true });
});

const entry = (n: number) => ({ ref: `INBOX-${n}`, amount: `${n}.00`, remittance: `no reference ${n}`, payerName: "Payer", payerIban: "ES7921000813610123456789" });

test("two pollers on one folder: each file imported once, the same content once, a bad file to failed/", async () => {
  const a = camt053(ACCOUNT, [entry(1), entry(2)]);
  await writeFile(path.join(dir, "a.xml"), a);
  const b = camt053(ACCOUNT, [entry(3)]);
  await writeFile(path.join(dir, "b.xml"), b);
  await writeFile(path.join(dir, "c.xml"), camt053(ACCOUNT, [entry(4), entry(5), entry(6)]));
  await writeFile(path.join(dir, "a-again.xml"), a);
  await writeFile(path.join(dir, "broken.xml"), "<Document><BkToCstmrStmt>");
  await writeFile(path.join(dir, "upload.xml.part"), "still being written");

  // Both workers poll until neither finds work: every file was claimed by exactly one of them.
  let rounds = 0;
  for (;;) {
    const [x, y] = await Promise.all([pollStatementInbox(h.deps), pollStatementInbox(h.deps)]);
    if (x + y === 0) break;
    assert.ok(++rounds < 10, "the inbox drains");
  }

  const processed = (await readdir(path.join(dir, "processed"))).sort();
  const failed = (await readdir(path.join(dir, "failed"))).sort();
  assert.deepEqual(processed, ["a-again.xml", "a-again.xml.report.json", "a.xml", "a.xml.report.json", "b.xml", "b.xml.report.json", "c.xml", "c.xml.report.json"].sort());
  assert.deepEqual(failed, ["broken.xml", "broken.xml.report.json"]);
  assert.deepEqual((await readdir(dir)).sort(), [".claimed", "failed", "processed", "upload.xml.part"], "a partial upload is left alone");
  assert.deepEqual(await readdir(path.join(dir, ".claimed")), []);

  const imports = await h.deps.database.db.selectFrom("bank_statement_imports").select(["id", "file_name", "source", "entries_read"]).orderBy("file_name").execute();
  assert.equal(imports.length, 3, "the same content is imported once, whichever name came first");
  assert.ok(imports.every((i) => i.source === "inbox"));
  assert.equal(imports.reduce((s, i) => s + i.entries_read, 0), 6);
  const transfers = await h.deps.database.db.selectFrom("bank_transfers").select("id").where("external_id", "like", `stmt:${ACCOUNT}:INBOX-%`).execute();
  assert.equal(transfers.length, 6, "every entry received once");

  const reportA = JSON.parse(await readFile(path.join(dir, "processed", "a.xml.report.json"), "utf8"));
  const reportAgain = JSON.parse(await readFile(path.join(dir, "processed", "a-again.xml.report.json"), "utf8"));
  const [first, second, firstName] = reportA.entriesRead !== undefined ? [reportA, reportAgain, "a.xml"] : [reportAgain, reportA, "a-again.xml"];
  assert.equal(first.entriesRead, 2);
  assert.equal(second.duplicateOf, firstName);
  // The import id is known once the first copy's import committed; a copy claimed meanwhile says null.
  assert.ok([null, first.importId].includes(second.importId));
  const broken = JSON.parse(await readFile(path.join(dir, "failed", "broken.xml.report.json"), "utf8"));
  assert.equal(broken.error, "statement_unreadable");

  // Dropping a file already processed again changes nothing.
  await writeFile(path.join(dir, "b-copy.xml"), b);
  assert.equal(await pollStatementInbox(h.deps), 1);
  assert.equal((await h.deps.database.db.selectFrom("bank_statement_imports").select("id").execute()).length, 3);
});

/** The pid of a process that really ran and exited: a worker that died. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((resolve) => child.once("exit", resolve));
  return child.pid!;
}

const transfersOf = async (...n: number[]) =>
  (await h.deps.database.db.selectFrom("bank_transfers").select("external_id").where("external_id", "in", n.map((i) => `stmt:${ACCOUNT}:INBOX-${i}`)).execute()).length;

test("a file claimed by a worker that died mid-import is recovered at once and imported", async () => {
  const file = camt053(ACCOUNT, [entry(10), entry(11)]);
  const pid = await deadPid();
  await writeFile(path.join(dir, ".claimed", `dead.xml~${hostname()}~${pid}`), file);
  // It died after claiming the content in the database, before its import committed: a fresh claim.
  const sha256 = createHash("sha256").update(file).digest("hex");
  await h.deps.database.db.insertInto("bank_inbox_files").values({ file_sha256: sha256, file_name: "dead.xml", claimed_at: h.deps.clock.now() }).execute();

  assert.equal(await pollStatementInbox(h.deps), 1);
  assert.deepEqual(await readdir(path.join(dir, ".claimed")), []);
  const report = JSON.parse(await readFile(path.join(dir, "processed", "dead.xml.report.json"), "utf8"));
  assert.equal(report.entriesRead, 2, "imported, not taken for a duplicate of its own dead claim");
  assert.equal(await transfersOf(10, 11), 2);
  const row = await h.deps.database.db.selectFrom("bank_inbox_files").selectAll().where("file_sha256", "=", sha256).executeTakeFirstOrThrow();
  assert.equal(row.import_id, report.importId);
});

test("a claim older than the bound is recovered whoever holds it; a fresh one on another host is left alone", async () => {
  const now = h.deps.clock.now().getTime();
  // The old claim's import had committed before its worker vanished: recovering it changes nothing.
  const old = camt053(ACCOUNT, [entry(20), entry(21)]);
  await importBankStatement(h.deps, { file: old, fileName: "old.xml", account: null, csvMapping: undefined, skipRejected: false, source: "inbox" });
  const oldClaim = path.join(dir, ".claimed", "old.xml~other-host~4242");
  await writeFile(oldClaim, old);
  await utimes(oldClaim, new Date(now - CLAIM_STALE_MS - 1000), new Date(now - CLAIM_STALE_MS - 1000));
  const freshClaim = path.join(dir, ".claimed", "fresh.xml~other-host~4243");
  await writeFile(freshClaim, camt053(ACCOUNT, [entry(30)]));
  await utimes(freshClaim, new Date(now - 60_000), new Date(now - 60_000));

  assert.equal(await pollStatementInbox(h.deps), 1);
  assert.deepEqual(await readdir(path.join(dir, ".claimed")), ["fresh.xml~other-host~4243"], "a worker on another host may still be importing it");
  const report = JSON.parse(await readFile(path.join(dir, "processed", "old.xml.report.json"), "utf8"));
  assert.equal(report.entriesRead, 2);
  assert.equal(report.duplicates, 2, "every entry was received before");
  assert.equal(report.matched + report.unmatched, 0);
  assert.equal(await transfersOf(20, 21), 2);
  assert.equal(await transfersOf(30), 0);
});

test("a recovered claim over the size limit goes to failed/ unread; the files after it are imported", async () => {
  // Sparse: 2 GiB + 1 byte on disk costs nothing, and is more than one read can hold.
  const huge = path.join(dir, ".claimed", `huge.xml~${hostname()}~${await deadPid()}`);
  await writeFile(huge, "");
  await truncate(huge, 2 ** 31 + 1);
  await writeFile(path.join(dir, "after-huge.xml"), camt053(ACCOUNT, [entry(40)]));

  assert.equal(await pollStatementInbox(h.deps), 2);
  const refused = JSON.parse(await readFile(path.join(dir, "failed", "huge.xml.report.json"), "utf8"));
  assert.equal(refused.error, "statement_too_large");
  assert.ok((await readdir(path.join(dir, "failed"))).includes("huge.xml"));
  assert.equal(JSON.parse(await readFile(path.join(dir, "processed", "after-huge.xml.report.json"), "utf8")).entriesRead, 1);
  assert.equal(await transfersOf(40), 1);
});
