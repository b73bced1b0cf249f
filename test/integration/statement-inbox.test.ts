// The watched inbox folder (RAMPART_BANK_INBOX_DIR, app/bank-statements/statement-inbox.ts): two
// workers polling the same folder at once import every file exactly once (rename claim), a file whose
// content was imported before is not imported again, a bad file goes to failed/ with the error, and
// every file ends in processed/ or failed/ beside its report.
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { pollStatementInbox } from "../../src/app/bank-statements/statement-inbox.js";
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
