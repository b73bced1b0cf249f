// The backup file (`rampart backup`): what it holds and how it is sealed, without any I/O.
//
//   "RAMPART-BACKUP-1\n"                       header magic (17 bytes)
//   entry bodies, one after another            each AES-256-GCM under the backup's key
//   manifest JSON                              format, created-at, version, entries with offsets and checksums
//   HMAC-SHA256 of header + manifest (32 bytes)
//   manifest length (uint32 BE)
//   "RAMPART-BACKUP-END\n"                     trailer magic (19 bytes)
//
// The backup is encrypted with a key derived from the server secret (HKDF with a random salt per file):
// the database inside is unusable without that secret anyway (its key check refuses any other), so the
// secret never travels with the backup and the backup's personal data (KYC documents, names) is never
// readable on its own. The manifest stays readable (it names the key id, never the key) and is
// authenticated by the HMAC, so any change to it, or to an entry's bytes (checksum and GCM tag), is found
// before anything is restored.
import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import { secretKeyId } from "./secret-box.js";

export const BACKUP_FORMAT = 1;
export const HEADER_MAGIC = Buffer.from("RAMPART-BACKUP-1\n");
export const TRAILER_MAGIC = Buffer.from("RAMPART-BACKUP-END\n");
export const MAC_BYTES = 32;
/** Bytes after the manifest: its MAC, its length and the trailer magic. */
export const TRAILER_BYTES = MAC_BYTES + 4 + TRAILER_MAGIC.length;
/** A manifest larger than this is not one we wrote (about 200 bytes per stored file). */
export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;
/** The entry holding the database: a gzipped tar of the embedded data dir's pgdata. */
export const DATABASE_ENTRY = "database/pgdata.tar.gz";

export interface BackupEntry {
  /** Where it goes, relative to the data dir (DATABASE_ENTRY for the database). */
  path: string;
  /** Offset of its ciphertext in the file, and its length (GCM keeps the plaintext's length). */
  offset: number;
  size: number;
  /** SHA-256 of the ciphertext as stored, base64url: found corrupt before decrypting. */
  sha256: string;
  iv: string;
  tag: string;
}

export interface BackupManifest {
  format: number;
  createdAt: string;
  rampartVersion: string;
  engine: "pglite";
  /** Whether the database came from the running server or from the data dir opened by the command. */
  source: "running server" | "data dir";
  encryption: { cipher: "aes-256-gcm"; kdf: "hkdf-sha256"; keyId: string; salt: string };
  entries: BackupEntry[];
}

/** A backup or restore refused: a file that is not a readable Rampart backup, a target in use. One line for the operator. */
export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BackupError";
  }
}

export interface BackupKeys {
  keyId: string;
  cipherKey: Buffer;
  macKey: Buffer;
}

export function backupKeys(secret: string, salt: Buffer): BackupKeys {
  const okm = Buffer.from(hkdfSync("sha256", secret, salt, "rampart backup v1", 64));
  return { keyId: secretKeyId(secret), cipherKey: okm.subarray(0, 32), macKey: okm.subarray(32) };
}

export function manifestMac(keys: BackupKeys, manifestJson: Buffer): Buffer {
  return createHmac("sha256", keys.macKey).update(HEADER_MAGIC).update(manifestJson).digest();
}

export function macMatches(keys: BackupKeys, manifestJson: Buffer, mac: Buffer): boolean {
  const expected = manifestMac(keys, manifestJson);
  return mac.length === expected.length && timingSafeEqual(mac, expected);
}

// Entry paths are data-dir relative and can never climb out of it.
const SAFE_PATH = /^[A-Za-z0-9][A-Za-z0-9._-]{0,120}(\/[A-Za-z0-9][A-Za-z0-9._-]{0,120}){0,8}$/;
export const isSafeEntryPath = (p: string) => SAFE_PATH.test(p) && !p.split("/").includes("..");

const B64 = /^[A-Za-z0-9_-]{1,200}$/;
const isCount = (n: unknown): n is number => typeof n === "number" && Number.isSafeInteger(n) && n >= 0;

/**
 * The manifest's shape, checked field by field (it is only trusted once its MAC matched, and even then
 * an entry must stay inside the body and the data dir). `bodyEnd` is where the manifest starts.
 */
export function parseManifest(json: Buffer, bodyEnd: number): BackupManifest {
  let m: BackupManifest;
  try {
    m = JSON.parse(json.toString("utf8")) as BackupManifest;
  } catch {
    throw new BackupError("the backup's manifest is not valid JSON: the file is corrupt");
  }
  const bad = (what: string) => new BackupError(`the backup's manifest is invalid (${what}): the file is corrupt`);
  if (typeof m !== "object" || m === null) throw bad("not an object");
  if (m.format !== BACKUP_FORMAT) throw new BackupError(`the backup has format ${String(m.format)}; this Rampart reads format ${BACKUP_FORMAT}`);
  if (typeof m.createdAt !== "string" || typeof m.rampartVersion !== "string" || m.engine !== "pglite") throw bad("header fields");
  const e = m.encryption;
  if (!e || e.cipher !== "aes-256-gcm" || e.kdf !== "hkdf-sha256" || typeof e.keyId !== "string" || !B64.test(e.salt)) throw bad("encryption");
  if (!Array.isArray(m.entries)) throw bad("entries");
  const seen = new Set<string>();
  let expectedOffset = HEADER_MAGIC.length;
  for (const entry of m.entries) {
    if (typeof entry.path !== "string" || !isSafeEntryPath(entry.path) || seen.has(entry.path)) throw bad(`entry path ${JSON.stringify(entry.path)}`);
    seen.add(entry.path);
    if (!isCount(entry.offset) || !isCount(entry.size) || entry.offset !== expectedOffset) throw bad(`entry ${entry.path} offset`);
    if (![entry.sha256, entry.iv, entry.tag].every((s) => typeof s === "string" && B64.test(s))) throw bad(`entry ${entry.path} checksums`);
    expectedOffset += entry.size;
  }
  if (expectedOffset !== bodyEnd) throw bad("entries do not cover the body");
  if (!seen.has(DATABASE_ENTRY)) throw bad("no database");
  return m;
}
