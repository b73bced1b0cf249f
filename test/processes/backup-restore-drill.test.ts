// The restore drill (docs/operations.md#backups-and-restore), as an operator runs it: `rampart start` on
// an embedded data dir takes load from four clients (trading pay-ins with a receipt upload each, payment
// intents with a KYC page submission: documents and a selfie), `rampart backup` runs while the load does,
// `rampart restore` puts the backup into a fresh data dir, and `rampart ledger verify` passes on it.
//
// The snapshot point lies between the backup command's start and its exit, so: everything answered
// before the command started is in the backup (committed before the snapshot), nothing whose request
// started after the command exited is (committed after it), every stored file a restored row names is
// there with its bytes, and the restored database is a prefix of the original's ledger.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { connectPGlite } from "../../src/db/connect.js";
import { TEST_SECRET_KEY } from "../support/harness.js";
import { intentBody, kycFields } from "../support/intents.js";
import { runCli, startCli, type RunningCli } from "../support/run-cli.js";

const CLIENTS = 4;
const root = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-drill-"));
const dataDir = path.join(root, "data");
const restoredDir = path.join(root, "restored");
const backupFile = path.join(root, "drill.backup");
let gateway: RunningCli | null = null;
after(async () => {
  await gateway?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

const env = (dir: string) => ({
  RAMPART_DATA_DIR: dir,
  RAMPART_SECRET_KEY: TEST_SECRET_KEY,
  RAMPART_RATES: "fixed",
  RAMPART_FIXED_RATES: "RUB/USDT=99.12,EUR/USDT=0.92,EUR/USDC=0.92,EUR/BTC=60000,EUR/ETH=3000",
  RAMPART_RATE_LIMIT_PER_MINUTE: "0",
});

type Phase = "before" | "during" | "after";
interface Done {
  kind: "trading" | "intent";
  id: string;
  /** When the request was sent and when its answer came, relative to the backup command. */
  sent: Phase;
  answered: Phase;
  /** Stored files it uploaded: their bytes, to find them again by content. */
  files: Buffer[];
}

const png = (tag: string) => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(`receipt ${tag}`), Buffer.alloc(2048, 3)]);
const pdf = (tag: string) => Buffer.from(`%PDF-1.4\n% ${tag}\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n`);

async function expectOk(res: Response, what: string): Promise<unknown> {
  const text = await res.text();
  assert.ok(res.ok, `${what}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** A trading pay-in and its receipt. */
async function tradingPayin(url: string, apiKey: string, n: number): Promise<{ id: string; files: Buffer[] }> {
  const amount = 1000 + (n % 500) * 7;
  const created = (await expectOk(
    await fetch(`${url}/payment/trading/pay-in`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": apiKey },
      body: JSON.stringify({ fiatAmountRange: { min: amount - 50, max: amount + 50 } }),
    }),
    "trading create",
  )) as { id: string };
  const receipt = png(`${created.id}`);
  const form = new FormData();
  form.append("file", new Blob([receipt], { type: "image/png" }), "receipt.png");
  await expectOk(await fetch(`${url}/file/trading/pay-in/invoice/upload?tradeId=${created.id}`, { method: "POST", headers: { "x-api-key": apiKey }, body: form }), "receipt upload");
  return { id: created.id, files: [receipt] };
}

/** A payment intent and its KYC page submission (passport front and a selfie). */
async function intentWithKyc(url: string, apiKey: string, storeId: string): Promise<{ id: string; files: Buffer[] }> {
  const created = (await expectOk(
    await fetch(`${url}/payment/intent`, { method: "POST", headers: { "content-type": "application/json", "x-api-key": apiKey }, body: JSON.stringify(intentBody(storeId)) }),
    "intent create",
  )) as { paymentIntentId: string; kycUrl: string | null };
  assert.ok(created.kycUrl, "a new customer is sent to KYC");
  const token = created.kycUrl.split("/").pop()!;
  const front = pdf(`front ${created.paymentIntentId}`);
  const selfie = png(`selfie ${created.paymentIntentId}`);
  const f = kycFields();
  const form = new FormData();
  for (const [k, v] of Object.entries({ ...f, country: f.documentCountry, consent: "yes" })) form.append(k, v);
  form.append("documentFront", new Blob([front], { type: "application/pdf" }), "front.pdf");
  form.append("selfie", new Blob([selfie], { type: "image/png" }), "selfie.png");
  await expectOk(await fetch(`${url}/kyc/${token}`, { method: "POST", headers: { accept: "application/json" }, body: form }), "kyc submit");
  return { id: created.paymentIntentId, files: [front, selfie] };
}

// Waits on the clients' own events: every recorded answer (or the load failing) wakes the waiters,
// which re-check their condition; no timer.
const waiters: (() => void)[] = [];
const recorded = () => {
  for (const wake of waiters.splice(0)) wake();
};
async function until(cond: () => boolean) {
  while (!cond()) await new Promise<void>((r) => waiters.push(r));
}

test("restore drill: backup under load, restore into a fresh data dir, ledger verify clean, nothing committed before the snapshot missing", { timeout: 1_500_000 }, async (t) => {
  gateway = await startCli(["start"], env(dataDir), { ready: (out) => /^operator key:/m.test(out) });
  const out = gateway.output();
  const apiKey = /^merchant api key:\s+(\S+)$/m.exec(out)![1]!;
  const storeId = /^store id:\s+(\S+)$/m.exec(out)![1]!;
  const url = gateway.url;

  let phase: Phase = "before";
  let stop = false;
  const done: Done[] = [];
  const afterBackup = new Map<number, number>();
  let seq = 0;
  const clients = Array.from({ length: CLIENTS }, async (_, c) => {
    while (!stop) {
      const sent = phase;
      const n = seq++;
      const r = n % 2 === 0 ? { kind: "trading" as const, ...(await tradingPayin(url, apiKey, n)) } : { kind: "intent" as const, ...(await intentWithKyc(url, apiKey, storeId)) };
      done.push({ ...r, sent, answered: phase });
      if (sent === "after") afterBackup.set(c, (afterBackup.get(c) ?? 0) + 1);
      recorded();
    }
  });
  let failed: unknown = null;
  const load = Promise.all(clients).catch((err: unknown) => {
    failed = err;
    stop = true;
    recorded();
  });

  // The backup starts once the load is well under way, and runs while it goes on.
  await until(() => done.length >= 12 || failed !== null);
  phase = "during";
  const backup = await runCli(["backup", backupFile], env(dataDir));
  phase = "after";
  await until(() => (CLIENTS === afterBackup.size && [...afterBackup.values()].every((n) => n >= 1)) || failed !== null);
  stop = true;
  await load;
  if (failed) throw failed;
  assert.equal(backup.code, 0, backup.stderr + backup.stdout);
  assert.match(backup.stdout, /database: .* snapshot from the running server/);
  assert.match(backup.stdout, /^files: \d+\/\d+$/m, "progress while copying the files");
  const duringBackup = done.filter((d) => d.sent === "during").length;
  assert.ok(duringBackup >= 1, "requests were answered while the backup ran");
  assert.equal(await gateway.stop(), 0, gateway.output());
  gateway = null;

  const restore = await runCli(["restore", backupFile], env(restoredDir));
  assert.equal(restore.code, 0, restore.stderr + restore.stdout);
  assert.match(restore.stdout, /^Restored into /m);
  const verify = await runCli(["ledger", "verify"], env(restoredDir));
  assert.equal(verify.code, 0, verify.stderr + verify.stdout);
  assert.match(verify.stdout, /^OK: every transfer balances/m);

  const read = async (dir: string) => {
    const database = await connectPGlite({ dataDir: dir });
    try {
      const db = database.db;
      return {
        payins: new Set((await db.selectFrom("trading_payins").select("id").execute()).map((r) => r.id)),
        intents: new Set((await db.selectFrom("payment_intents").select("id").execute()).map((r) => r.id)),
        transfers: new Set((await db.selectFrom("ledger_transfers").select("id").execute()).map((r) => r.id)),
        receipts: await db.selectFrom("trading_receipts").select(["payin_id", "storage_key"]).execute(),
        kycFiles: (await db.selectFrom("kyc_cases").select("files").execute()).flatMap((r) => r.files as unknown as string[]),
      };
    } finally {
      await database.close();
    }
  };
  const restored = await read(restoredDir);
  const original = await read(dataDir);
  const count = (p: Phase) => done.filter((d) => d.sent === p).length;
  t.diagnostic(`operations sent before/during/after the backup: ${count("before")}/${count("during")}/${count("after")}`);
  t.diagnostic(`pay-ins ${restored.payins.size}/${original.payins.size}, intents ${restored.intents.size}/${original.intents.size}, transfers ${restored.transfers.size}/${original.transfers.size} (restored/original)`);

  const ids = (kind: Done["kind"], which: (d: Done) => boolean) => done.filter((d) => d.kind === kind && which(d)).map((d) => d.id);
  const answeredBefore = (d: Done) => d.answered === "before";
  const sentAfter = (d: Done) => d.sent === "after";
  assert.ok(ids("trading", answeredBefore).length >= 1 && ids("intent", answeredBefore).length >= 1, "both dialects committed before the backup");
  assert.deepEqual(ids("trading", answeredBefore).filter((id) => !restored.payins.has(id)), [], "every pay-in committed before the backup is restored");
  assert.deepEqual(ids("intent", answeredBefore).filter((id) => !restored.intents.has(id)), [], "every intent committed before the backup is restored");
  assert.deepEqual(ids("trading", answeredBefore).filter((id) => !restored.transfers.has(`trading:${id}:hold`)), [], "and its ledger hold");
  assert.deepEqual([...restored.payins].filter((id) => ids("trading", sentAfter).includes(id)), [], "nothing sent after the backup is in it");
  assert.deepEqual([...restored.intents].filter((id) => ids("intent", sentAfter).includes(id)), []);
  assert.ok(original.payins.size > restored.payins.size, "the original went on after the snapshot");
  assert.deepEqual([...restored.transfers].filter((id) => !original.transfers.has(id)), [], "the restored ledger is a prefix of the original");
  assert.deepEqual([...restored.payins].filter((id) => !restored.transfers.has(`trading:${id}:hold`)), [], "every restored pay-in has its hold");

  // Every stored file a restored row names is there, with the bytes that were uploaded.
  const stored = (key: string) => fs.readFileSync(path.join(restoredDir, "files", key));
  const uploaded = new Set(done.flatMap((d) => d.files.map((b) => b.toString("base64"))));
  const named = [...restored.receipts.map((r) => r.storage_key), ...restored.kycFiles];
  assert.ok(named.length >= 3);
  for (const key of named) assert.ok(uploaded.has(stored(key).toString("base64")), `${key} holds what was uploaded`);
  const restoredReceipts = new Set(restored.receipts.map((r) => r.payin_id));
  assert.deepEqual(ids("trading", answeredBefore).filter((id) => !restoredReceipts.has(id)), [], "every receipt uploaded before the backup is restored");
  const beforeFiles = done.filter((d) => d.kind === "intent" && answeredBefore(d)).flatMap((d) => d.files.map((b) => b.toString("base64")));
  const kycBytes = new Set(restored.kycFiles.map((k) => stored(k).toString("base64")));
  assert.deepEqual(beforeFiles.filter((b) => !kycBytes.has(b)).length, 0, "every KYC document submitted before the backup is restored");
});

test("on PostgreSQL, backup and restore point to pg_dump and the docs", { timeout: 120_000 }, async () => {
  for (const cmd of ["backup", "restore"]) {
    const r = await runCli([cmd, path.join(root, "x.backup")], { DATABASE_URL: "postgres://nobody@127.0.0.1:1/none", RAMPART_SECRET_KEY: TEST_SECRET_KEY });
    assert.equal(r.code, 1, cmd);
    assert.match(r.stderr, /pg_dump .*docs\/operations\.md#backups-and-restore/, cmd);
  }
});
