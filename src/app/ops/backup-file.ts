// Writing and reading the backup file whose layout core/crypto/backup-format.ts describes. Entries are
// streamed through AES-256-GCM one chunk at a time, so memory stays bounded whatever the files weigh.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import {
  BACKUP_FORMAT,
  BackupError,
  type BackupEntry,
  type BackupKeys,
  type BackupManifest,
  backupKeys,
  HEADER_MAGIC,
  isSafeEntryPath,
  MAC_BYTES,
  macMatches,
  manifestMac,
  MAX_MANIFEST_BYTES,
  parseManifest,
  TRAILER_BYTES,
  TRAILER_MAGIC,
} from "../../core/crypto/backup-format.js";
import { secretKeyId } from "../../core/crypto/secret-box.js";

export type Progress = (line: string) => void;

const READ_CHUNK = 1024 * 1024;

interface BackupWriter {
  add(entryPath: string, data: AsyncIterable<Buffer>): Promise<BackupEntry>;
  /** Writes the manifest, syncs and renames the file into place. */
  finish(source: BackupManifest["source"]): Promise<BackupManifest>;
  /** Removes the partial file (after a failure). */
  abort(): Promise<void>;
}

/**
 * Opens `<file>.partial-<pid>`; the finished file appears under its name only when complete, so a
 * backup that fails midway never leaves a file that looks like a backup.
 */
export async function createBackupWriter(
  file: string,
  opts: { secret: string; rampartVersion: string; createdAt: Date; overwrite: boolean },
): Promise<BackupWriter> {
  if (!opts.overwrite && (await exists(file))) throw new BackupError(`${file} exists; pass --force to replace it`);
  const partial = `${file}.partial-${process.pid}`;
  const fh = await fs.open(partial, "w", 0o600);
  const salt = randomBytes(16);
  const keys = backupKeys(opts.secret, salt);
  const entries: BackupEntry[] = [];
  let offset = 0;
  const write = async (b: Buffer) => {
    if (b.length === 0) return;
    await fh.write(b, 0, b.length, offset);
    offset += b.length;
  };
  await write(HEADER_MAGIC);
  return {
    async add(entryPath, data) {
      if (!isSafeEntryPath(entryPath)) throw new Error(`cannot back up ${entryPath}: not a plain relative path`);
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", keys.cipherKey, iv);
      const hash = createHash("sha256");
      const start = offset;
      for await (const chunk of data) {
        const c = cipher.update(chunk);
        hash.update(c);
        await write(c);
      }
      const last = cipher.final();
      hash.update(last);
      await write(last);
      const entry = {
        path: entryPath,
        offset: start,
        size: offset - start,
        sha256: hash.digest("base64url"),
        iv: iv.toString("base64url"),
        tag: cipher.getAuthTag().toString("base64url"),
      };
      entries.push(entry);
      return entry;
    },
    async finish(source) {
      const manifest: BackupManifest = {
        format: BACKUP_FORMAT,
        createdAt: opts.createdAt.toISOString(),
        rampartVersion: opts.rampartVersion,
        engine: "pglite",
        source,
        encryption: { cipher: "aes-256-gcm", kdf: "hkdf-sha256", keyId: keys.keyId, salt: salt.toString("base64url") },
        entries,
      };
      const json = Buffer.from(JSON.stringify(manifest));
      const length = Buffer.alloc(4);
      length.writeUInt32BE(json.length);
      await write(Buffer.concat([json, manifestMac(keys, json), length, TRAILER_MAGIC]));
      await fh.sync();
      await fh.close();
      await fs.rename(partial, file);
      return manifest;
    },
    async abort() {
      await fh.close().catch(() => {});
      await fs.rm(partial, { force: true });
    },
  };
}

interface OpenBackup {
  manifest: BackupManifest;
  /** Reads every entry once and checks its checksum: a damaged file is refused before anything is written. */
  verify(progress: Progress): Promise<void>;
  /** The entry's plaintext; throws BackupError at its end when its checksum or GCM tag does not match. */
  read(entry: BackupEntry): AsyncIterable<Buffer>;
  close(): Promise<void>;
}

/**
 * Opens a backup and checks everything but the entries' bytes before anything is restored: the
 * magic at both ends (a foreign or truncated file), the key id (the secret it was made with), the
 * manifest's MAC (an altered file) and its shape. `secrets` are the secrets that may open it.
 */
export async function openBackup(file: string, secrets: string[]): Promise<OpenBackup> {
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(file, "r");
  } catch (err) {
    throw new BackupError(`cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    const { size } = await fh.stat();
    const readAt = async (pos: number, length: number) => {
      const b = Buffer.alloc(length);
      const { bytesRead } = await fh.read(b, 0, length, pos);
      return b.subarray(0, bytesRead);
    };
    if (!(await readAt(0, HEADER_MAGIC.length)).equals(HEADER_MAGIC)) {
      throw new BackupError(`${file} is not a Rampart backup (it does not start with the RAMPART-BACKUP-1 marker)`);
    }
    const trailer = size >= HEADER_MAGIC.length + TRAILER_BYTES ? await readAt(size - TRAILER_BYTES, TRAILER_BYTES) : Buffer.alloc(0);
    if (trailer.length !== TRAILER_BYTES || !trailer.subarray(MAC_BYTES + 4).equals(TRAILER_MAGIC)) {
      throw new BackupError(`${file} is truncated or damaged: its end marker is missing (was the backup copied completely?)`);
    }
    const mac = trailer.subarray(0, MAC_BYTES);
    const length = trailer.readUInt32BE(MAC_BYTES);
    const manifestStart = size - TRAILER_BYTES - length;
    if (length > MAX_MANIFEST_BYTES || manifestStart < HEADER_MAGIC.length) throw new BackupError(`${file} is damaged: its manifest length is impossible`);
    const json = await readAt(manifestStart, length);
    const keys = keysFor(json, secrets);
    if (!macMatches(keys, json, mac)) {
      throw new BackupError(`${file} was altered or is damaged: its manifest does not match its signature`);
    }
    const manifest = parseManifest(json, manifestStart);
    return {
      manifest,
      async verify(progress) {
        let bytes = 0;
        for (const entry of manifest.entries) {
          const hash = createHash("sha256");
          for await (const chunk of readRange(fh, entry)) hash.update(chunk);
          if (hash.digest("base64url") !== entry.sha256) throw new BackupError(`${file} is damaged: entry ${entry.path} does not match its checksum`);
          bytes += entry.size;
        }
        progress(`checksums: ${manifest.entries.length} entries, ${(bytes / 1024 / 1024).toFixed(1)} MB, all match`);
      },
      read: (entry) => readEntry(fh, keys, entry),
      close: () => fh.close(),
    };
  } catch (err) {
    await fh.close();
    throw err;
  }
}

/** The keys of the secret the manifest names, or an error naming the key id it needs. */
function keysFor(json: Buffer, secrets: string[]): BackupKeys {
  let enc: { keyId?: unknown; salt?: unknown } | undefined;
  try {
    enc = (JSON.parse(json.toString("utf8")) as { encryption?: { keyId?: unknown; salt?: unknown } }).encryption;
  } catch {
    throw new BackupError("the backup's manifest is not valid JSON: the file is corrupt");
  }
  if (typeof enc?.keyId !== "string" || typeof enc.salt !== "string") throw new BackupError("the backup's manifest names no key: the file is corrupt");
  const secret = secrets.find((s) => secretKeyId(s) === enc.keyId);
  if (!secret) {
    const have = secrets.map(secretKeyId).join(", ") || "none";
    throw new BackupError(
      `the backup was encrypted with the secret whose key id is ${enc.keyId} (this process has ${have}): ` +
        "set RAMPART_SECRET_KEY to the secret in use when the backup was made",
    );
  }
  return backupKeys(secret, Buffer.from(enc.salt, "base64url"));
}

/** An entry's stored (encrypted) bytes, a chunk at a time. */
async function* readRange(fh: fs.FileHandle, entry: BackupEntry): AsyncIterable<Buffer> {
  const buf = Buffer.alloc(Math.min(READ_CHUNK, Math.max(entry.size, 1)));
  for (let done = 0; done < entry.size; ) {
    const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, entry.size - done), entry.offset + done);
    if (bytesRead === 0) throw new BackupError(`entry ${entry.path} is truncated`);
    done += bytesRead;
    yield buf.subarray(0, bytesRead);
  }
}

async function* readEntry(fh: fs.FileHandle, keys: BackupKeys, entry: BackupEntry): AsyncIterable<Buffer> {
  const decipher = createDecipheriv("aes-256-gcm", keys.cipherKey, Buffer.from(entry.iv, "base64url"));
  decipher.setAuthTag(Buffer.from(entry.tag, "base64url"));
  for await (const c of readRange(fh, entry)) yield decipher.update(c);
  try {
    yield decipher.final();
  } catch {
    throw new BackupError(`entry ${entry.path} failed authentication: the file was altered`);
  }
}

async function exists(p: string): Promise<boolean> {
  return fs.stat(p).then(
    () => true,
    () => false,
  );
}

/**
 * Every regular file under `dir` that belongs in a backup, relative to it, sorted: what the data dir
 * holds beside the database (stored files, the sandbox chain). Left out: the paths in `skip` (the
 * database itself, the lock, the generated secret, which never goes into a backup), sockets, and names
 * no Rampart writer makes (`unsafe`: hidden or odd names, listed for the operator).
 */
export async function dataDirFiles(dir: string, skip: ReadonlySet<string>): Promise<{ files: string[]; unsafe: string[] }> {
  const out: string[] = [];
  const unsafe: string[] = [];
  const walk = async (rel: string) => {
    const entries = await fs.readdir(path.join(dir, rel), { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") return [];
      throw err;
    });
    for (const e of entries) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (skip.has(p)) continue;
      if (!isSafeEntryPath(p)) unsafe.push(p);
      else if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  await walk("");
  return { files: out.sort(), unsafe };
}
