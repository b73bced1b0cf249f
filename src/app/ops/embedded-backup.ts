// `rampart backup` and `rampart restore` for the embedded database (PGlite in RAMPART_DATA_DIR).
//
// PGlite serves one process, so a running server is asked for the snapshot over a local socket in the
// data dir (main/snapshot-socket.ts): the socket file is the data dir's, so whoever may read the
// database may ask, and nobody else. With no server running, the command opens the data dir itself
// (taking its lock, so no server starts meanwhile).
//
// The snapshot point is the moment the server takes the snapshot: every transaction committed before
// it is in the backup. Stored files are copied after it: a file is written before the row naming it
// commits (receipts.ts, kyc-page.ts), so every file a backed-up row names is on disk by then.
import fs from "node:fs";
import fsp from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import { pipeline, Readable } from "node:stream";
import { createGunzip, createGzip } from "node:zlib";
import { BackupError, type BackupManifest, DATABASE_ENTRY } from "../../core/crypto/backup-format.js";
import { secretKeyId } from "../../core/crypto/secret-box.js";
import { connectPGlite } from "../../db/connect.js";
import { acquireDataDirLock } from "../../db/lock-file.js";
import { type SecretSource, verifySecretKey } from "../secret/key-check.js";
import { createBackupWriter, dataDirFiles, openBackup, type Progress } from "./backup-file.js";

/** The socket a running embedded server answers snapshot requests on, in its data dir. */
export const SNAPSHOT_SOCKET = "backup.sock";
export const KEY_ID_HEADER = "x-rampart-key-id";
/** Never copied from the data dir: the database (it goes in as a snapshot), the lock, the socket, the secret. */
const NOT_COPIED = new Set(["pgdata", "rampart.lock", SNAPSHOT_SOCKET, "secret.key"]);
/** What a restore target may already hold and still count as empty (a copied-in secret.key stays). */
const EMPTY_TARGET = new Set(["rampart.lock", "secret.key"]);

interface Snapshot {
  tar: Readable;
  bytes: number;
  source: BackupManifest["source"];
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

/** The running server's snapshot, or null when no server answers on the data dir's socket. */
function snapshotFromServer(dataDir: string, secret: string): Promise<Snapshot | null> {
  return new Promise((resolve, reject) => {
    const req = http.get({ socketPath: path.join(dataDir, SNAPSHOT_SOCKET), path: "/snapshot" }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return reject(new BackupError(`the running server refused the snapshot (HTTP ${res.statusCode}); see its log`));
      }
      const serverKey = res.headers[KEY_ID_HEADER];
      if (serverKey !== secretKeyId(secret)) {
        res.destroy();
        return reject(
          new BackupError(`the running server uses the secret with key id ${String(serverKey)}, this command ${secretKeyId(secret)}: run it with the server's RAMPART_SECRET_KEY`),
        );
      }
      resolve({ tar: res, bytes: Number(res.headers["content-length"]), source: "running server" });
    });
    req.on("error", (err: NodeJS.ErrnoException) => {
      // No socket, or one left by a server that is gone: nobody holds the data dir but its lock may say otherwise.
      if (err.code === "ENOENT" || err.code === "ECONNREFUSED") resolve(null);
      else reject(err);
    });
  });
}

/** No server runs: open the data dir (taking its lock), check the secret, snapshot, close. */
async function snapshotFromDataDir(dataDir: string, secret: string, source: SecretSource): Promise<Snapshot> {
  if (!fs.existsSync(path.join(dataDir, "pgdata"))) throw new BackupError(`there is no embedded database in ${dataDir} (RAMPART_DATA_DIR)`);
  const database = await connectPGlite({ dataDir });
  try {
    await verifySecretKey(database.db, { secretKey: secret, previousSecretKey: null }, source);
    const blob = await database.snapshot();
    return { tar: Readable.fromWeb(blob.stream() as import("node:stream/web").ReadableStream<Uint8Array>), bytes: blob.size, source: "data dir" };
  } finally {
    await database.close();
  }
}

/** Counts what passes, and fails when a stream of announced length ends short. */
async function* counted(stream: AsyncIterable<Buffer>, expected: number, onBytes: (n: number) => void): AsyncIterable<Buffer> {
  let n = 0;
  for await (const chunk of stream) {
    n += chunk.length;
    onBytes(n);
    yield chunk;
  }
  if (Number.isFinite(expected) && n !== expected) throw new BackupError(`the database snapshot was cut off after ${n} of ${expected} bytes`);
}

/** `source` through `transform`, failing (not hanging) when the source fails. */
function through<T extends NodeJS.ReadWriteStream>(source: Readable, transform: T): T {
  pipeline(source, transform, () => {}); // an error destroys `transform` with it, which its reader sees
  return transform;
}

export interface BackupOptions {
  dataDir: string;
  file: string;
  secret: string;
  secretSource: SecretSource;
  rampartVersion: string;
  overwrite: boolean;
  now: Date;
  progress: Progress;
}

export async function backupEmbedded(o: BackupOptions): Promise<BackupManifest> {
  const writer = await createBackupWriter(o.file, { secret: o.secret, rampartVersion: o.rampartVersion, createdAt: o.now, overwrite: o.overwrite });
  let snap: Snapshot | null = null;
  try {
    o.progress(`Taking a snapshot of the embedded database in ${o.dataDir}`);
    snap = (await snapshotFromServer(o.dataDir, o.secret)) ?? (await snapshotFromDataDir(o.dataDir, o.secret, o.secretSource));
    o.progress(`database: ${mb(snap.bytes)} snapshot from the ${snap.source}`);
    let reported = 0;
    const total = snap.bytes;
    const tar = counted(snap.tar, total, (n) => {
      if (n - reported >= 64 * 1024 * 1024) o.progress(`database: ${mb((reported = n))} of ${mb(total)} compressed`);
    });
    const db = await writer.add(DATABASE_ENTRY, through(Readable.from(tar), createGzip()));
    o.progress(`database: ${mb(db.size)} written`);

    const { files, unsafe } = await dataDirFiles(o.dataDir, NOT_COPIED);
    if (unsafe.length > 0) o.progress(`not copied (names Rampart does not write): ${unsafe.join(", ")}`);
    o.progress(`files: ${files.length} to copy`);
    const step = Math.max(1, Math.ceil(files.length / 10));
    let copied = 0;
    for (const [i, rel] of files.entries()) {
      try {
        await writer.add(rel, fs.createReadStream(path.join(o.dataDir, rel)));
        copied++;
      } catch (err) {
        // Removed since it was listed (by erasure or retention after the snapshot): nothing was written for it.
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      }
      if ((i + 1) % step === 0 || i + 1 === files.length) o.progress(`files: ${i + 1}/${files.length}`);
    }
    const manifest = await writer.finish(snap.source);
    const { size } = await fsp.stat(o.file);
    o.progress(`Backup written to ${o.file}: the database and ${copied} file(s), ${mb(size)}, encrypted with the secret whose key id is ${manifest.encryption.keyId}`);
    return manifest;
  } catch (err) {
    await writer.abort();
    snap?.tar.destroy();
    throw err;
  }
}

export interface RestoreOptions {
  dataDir: string;
  file: string;
  /** The secrets that may open the backup (the current one, during a rotation the previous one). */
  secrets: string[];
  secretSource: SecretSource;
  force: boolean;
  progress: Progress;
}

/**
 * Restores into a temp dir beside the target, checks the restored database opens with the secret,
 * then swaps it in with renames: the target is never half-restored. The target's secret.key (a
 * sandbox's generated secret) stays with it.
 */
export async function restoreEmbedded(o: RestoreOptions): Promise<BackupManifest> {
  const backup = await openBackup(o.file, o.secrets);
  const { manifest } = backup;
  const target = path.resolve(o.dataDir);
  const targetExisted = fs.existsSync(target);
  let releaseTarget: (() => void) | null = null;
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.restore-${process.pid}`);
  try {
    o.progress(`Backup of ${manifest.createdAt} by Rampart ${manifest.rampartVersion} (${manifest.source}): ${manifest.entries.length} entries`);
    await backup.verify(o.progress);
    releaseTarget = acquireDataDirLock(target); // a running server holds it: refused, nothing touched
    const present = fs.readdirSync(target).filter((n) => !EMPTY_TARGET.has(n));
    if (present.length > 0 && !o.force) {
      throw new BackupError(`${target} is not empty (${present.slice(0, 3).join(", ")}${present.length > 3 ? ", ..." : ""}): restore into an empty data dir, or pass --force to replace it`);
    }
    fs.rmSync(temp, { recursive: true, force: true });
    fs.mkdirSync(temp, { mode: 0o700 });

    let tar: Buffer | null = null;
    const files = manifest.entries.filter((e) => e.path !== DATABASE_ENTRY);
    const step = Math.max(1, Math.ceil(files.length / 10));
    let done = 0;
    for (const entry of manifest.entries) {
      if (entry.path === DATABASE_ENTRY) {
        o.progress(`database: ${mb(entry.size)} to decrypt`);
        const parts: Buffer[] = [];
        for await (const chunk of through(Readable.from(backup.read(entry)), createGunzip())) parts.push(chunk as Buffer);
        tar = Buffer.concat(parts);
        continue;
      }
      const dest = path.join(temp, entry.path);
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      const out = await fsp.open(dest, "wx", 0o600);
      try {
        for await (const chunk of backup.read(entry)) await out.write(chunk);
      } finally {
        await out.close();
      }
      if (++done % step === 0 || done === files.length) o.progress(`files: ${done}/${files.length}`);
    }

    o.progress(`database: loading ${mb(tar!.length)} and checking it opens with the secret`);
    const database = await connectPGlite({ dataDir: temp, loadDataDir: new Blob([tar!]) });
    try {
      await verifySecretKey(database.db, { secretKey: o.secrets[0]!, previousSecretKey: o.secrets[1] ?? null }, o.secretSource);
      await database.db
        .selectFrom("schema_migrations")
        .select("name")
        .limit(1)
        .execute()
        .catch(() => {
          throw new BackupError(`${o.file} holds a database that is not Rampart's (it has no schema_migrations table)`);
        });
    } finally {
      await database.close();
    }
    if (fs.existsSync(path.join(target, "secret.key"))) fs.copyFileSync(path.join(target, "secret.key"), path.join(temp, "secret.key"));
    fs.writeFileSync(path.join(temp, "rampart.lock"), String(process.pid)); // the restored dir stays locked until it is in place

    // The swap: the old dir moves aside, the restored one takes its name, then the old one goes.
    const aside = `${temp}-replaced`;
    releaseTarget();
    releaseTarget = null;
    if (present.length > 0) fs.renameSync(target, aside);
    else fs.rmSync(target, { recursive: true, force: true });
    try {
      fs.renameSync(temp, target);
    } catch (err) {
      if (present.length > 0) fs.renameSync(aside, target); // the old data dir back under its name
      throw new BackupError(`could not move the restored data dir into ${target} (${(err as Error).message}); nothing was changed`);
    }
    fs.rmSync(path.join(target, "rampart.lock"), { force: true });
    fs.rmSync(aside, { recursive: true, force: true });
    o.progress(`Restored into ${target}: the database and ${files.length} file(s). Run \`rampart ledger verify\` before starting the server.`);
    return manifest;
  } catch (err) {
    fs.rmSync(temp, { recursive: true, force: true });
    releaseTarget?.();
    if (!targetExisted && fs.existsSync(target) && fs.readdirSync(target).length === 0) fs.rmdirSync(target);
    throw err;
  } finally {
    await backup.close();
  }
}
