// The backup file and restore, in process, on a real embedded data dir (PGlite on disk, whichever
// database the run uses): a round trip keeps the database and every stored file; restore refuses a
// data dir that is not empty unless forced; a truncated, foreign, altered or wrongly keyed file is
// refused with one clear line before anything is written, and leaves no temp dir behind.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { backupEmbedded, restoreEmbedded } from "../../src/app/ops/embedded-backup.js";
import { recordSecretKey } from "../../src/app/secret/key-check.js";
import { BackupError, DATABASE_ENTRY, TRAILER_BYTES } from "../../src/core/crypto/backup-format.js";
import { connectPGlite } from "../../src/db/connect.js";
import { TEST_SECRET_KEY } from "../support/harness.js";
import { preparePGliteDump } from "../support/test-db.js";

const source = { name: "RAMPART_SECRET_KEY", remedy: "use the right one" };
const KYC = Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.alloc(3 * 1024 * 1024, 7)]); // over one read chunk
const RECEIPT = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
const FILES: Record<string, Buffer> = {
  "files/kyc/case_1/document_front-1": KYC,
  "files/kyc/case_1/document_front-1.meta.json": Buffer.from('{"contentType":"application/pdf"}'),
  "files/trading/receipts/inv_1": RECEIPT,
  "files/trading/receipts/inv_1.meta.json": Buffer.from('{"contentType":"image/png"}'),
};

let root: string;
let dataDir: string;
let backupFile: string;
const lines: string[] = [];
const progress = (l: string) => lines.push(l);

before(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-backup-"));
  dataDir = path.join(root, "data");
  const dump = process.env.RAMPART_TEST_PGLITE_DUMP ?? (await preparePGliteDump());
  const database = await connectPGlite({ dataDir, loadDataDir: new Blob([fs.readFileSync(dump)]) });
  await recordSecretKey(database.db, { secretKey: TEST_SECRET_KEY, previousSecretKey: null }, source);
  await database.execScript("CREATE TABLE backup_marker (v text); INSERT INTO backup_marker VALUES ('committed before the backup');");
  await database.close();
  for (const [rel, data] of Object.entries(FILES)) {
    fs.mkdirSync(path.dirname(path.join(dataDir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dataDir, rel), data);
  }
  fs.writeFileSync(path.join(dataDir, "secret.key"), "never-in-a-backup");
  backupFile = path.join(root, "rampart.backup");
  await backupEmbedded({ dataDir, file: backupFile, secret: TEST_SECRET_KEY, secretSource: source, rampartVersion: "9.9.9", overwrite: false, now: new Date("2026-12-04T12:00:00Z"), progress });
});
after(() => fs.rmSync(root, { recursive: true, force: true }));

const restore = (file: string, target: string, opts: { force?: boolean; secrets?: string[] } = {}) =>
  restoreEmbedded({ dataDir: target, file, secrets: opts.secrets ?? [TEST_SECRET_KEY], secretSource: source, force: opts.force ?? false, progress });

async function markers(dir: string): Promise<unknown[]> {
  const database = await connectPGlite({ dataDir: dir });
  try {
    return (await database.inSession((q) => q("SELECT v FROM backup_marker"))).map((r) => r.v);
  } finally {
    await database.close();
  }
}

/** Nothing but what the test made in `root`: no temp or moved-aside dir left by a restore. */
const leftovers = () => fs.readdirSync(root).filter((n) => n.includes(".restore-"));

test("backup writes the manifest and progress; restore brings back the database and every stored file, not the secret", async () => {
  const bytes = fs.readFileSync(backupFile);
  assert.ok(!bytes.includes(Buffer.from("never-in-a-backup")), "the generated secret is not in the backup");
  assert.ok(!bytes.includes(RECEIPT), "stored files are encrypted");
  assert.ok(lines.some((l) => /database: .* snapshot from the data dir/.test(l)), lines.join("\n"));
  assert.ok(lines.some((l) => l === "files: 4/4"), lines.join("\n"));

  const target = path.join(root, "restored");
  const manifest = await restore(backupFile, target);
  assert.equal(manifest.format, 1);
  assert.equal(manifest.rampartVersion, "9.9.9");
  assert.equal(manifest.createdAt, "2026-12-04T12:00:00.000Z");
  assert.deepEqual(manifest.entries.map((e) => e.path), [DATABASE_ENTRY, ...Object.keys(FILES).sort()]);
  for (const [rel, data] of Object.entries(FILES)) assert.ok(fs.readFileSync(path.join(target, rel)).equals(data), rel);
  assert.ok(!fs.existsSync(path.join(target, "secret.key")));
  assert.ok(!fs.existsSync(path.join(target, "rampart.lock")), "the restored dir is unlocked");
  assert.deepEqual(await markers(target), ["committed before the backup"]);
  assert.deepEqual(leftovers(), []);
});

test("restore refuses a data dir that is not empty unless --force; forced, it replaces it and keeps its secret.key", async () => {
  const target = path.join(root, "busy");
  fs.mkdirSync(target);
  fs.writeFileSync(path.join(target, "other.txt"), "keep me");
  fs.writeFileSync(path.join(target, "secret.key"), "the target's own secret");
  await assert.rejects(restore(backupFile, target), (err: Error) => err instanceof BackupError && /is not empty \(other\.txt\).*--force/.test(err.message));
  assert.deepEqual(fs.readdirSync(target).sort(), ["other.txt", "secret.key"], "untouched");
  assert.deepEqual(leftovers(), []);

  await restore(backupFile, target, { force: true });
  assert.ok(!fs.existsSync(path.join(target, "other.txt")), "replaced");
  assert.equal(fs.readFileSync(path.join(target, "secret.key"), "utf8"), "the target's own secret");
  assert.ok(fs.readFileSync(path.join(target, "files/trading/receipts/inv_1")).equals(RECEIPT));
  assert.deepEqual(leftovers(), []);
});

test("backup refuses to replace an existing file unless forced", async () => {
  await assert.rejects(
    backupEmbedded({ dataDir, file: backupFile, secret: TEST_SECRET_KEY, secretSource: source, rampartVersion: "9.9.9", overwrite: false, now: new Date(), progress }),
    (err: Error) => err instanceof BackupError && /exists; pass --force/.test(err.message),
  );
});

/** A copy of the backup changed by `mutate`, which restore must refuse with `message`, writing nothing. */
async function refused(name: string, mutate: (b: Buffer) => Buffer, message: RegExp, secrets?: string[]) {
  const file = path.join(root, `${name}.backup`);
  fs.writeFileSync(file, mutate(Buffer.from(fs.readFileSync(backupFile))));
  const target = path.join(root, `target-${name}`);
  await assert.rejects(restore(file, target, secrets ? { secrets } : {}), (err: Error) => {
    assert.ok(err instanceof BackupError, `${name}: ${err.stack}`);
    assert.match(err.message, message, name);
    return true;
  });
  assert.ok(!fs.existsSync(target), `${name}: no data dir was created`);
  assert.deepEqual(leftovers(), [], name);
}

/** Where the manifest JSON sits in the file. */
function manifestRange(b: Buffer): [number, number] {
  const length = b.readUInt32BE(b.length - TRAILER_BYTES + 32);
  const end = b.length - TRAILER_BYTES;
  return [end - length, end];
}

test("hostile files are refused before anything is written", async () => {
  await refused("truncated", (b) => b.subarray(0, Math.floor(b.length / 2)), /truncated or damaged: its end marker is missing/);
  await refused("cut-by-one", (b) => b.subarray(0, b.length - 1), /truncated or damaged/);
  await refused("empty", () => Buffer.alloc(0), /is not a Rampart backup/);
  await refused("wrong-magic", (b) => Buffer.concat([Buffer.from("PK\x03\x04"), b.subarray(4)]), /is not a Rampart backup/);
  await refused("foreign", () => Buffer.from("just some text, not a backup\n".repeat(100)), /is not a Rampart backup/);
  // An entry's checksum changed in the manifest (same length): the manifest's MAC no longer matches.
  await refused(
    "tampered-checksum",
    (b) => {
      const [start, end] = manifestRange(b);
      const json = b.subarray(start, end).toString("utf8");
      const m = /"sha256":"(.)/.exec(json)!;
      const changed = json.slice(0, m.index + 10) + (m[1] === "A" ? "B" : "A") + json.slice(m.index + 11);
      return Buffer.concat([b.subarray(0, start), Buffer.from(changed), b.subarray(end)]);
    },
    /was altered or is damaged: its manifest does not match its signature/,
  );
  // A byte of a stored file flipped: its checksum says so.
  await refused(
    "flipped-body-byte",
    (b) => {
      const [start] = manifestRange(b);
      b[start - 5]! ^= 0xff;
      return b;
    },
    /is damaged: entry files\/.* does not match its checksum/,
  );
  await refused("other-secret", (b) => b, /encrypted with the secret whose key id is [0-9a-f]{16} .*set RAMPART_SECRET_KEY/, ["another-secret-0123456789abcdef"]);
});
