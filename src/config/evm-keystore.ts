// An Ethereum keystore file (Web3 Secret Storage v3, as geth, `cast wallet new`, clef and most wallets
// write it): the hot wallet's private key encrypted at rest, decrypted here in memory at start with a
// passphrase. Only what those tools write is read — scrypt or PBKDF2-HMAC-SHA256, AES-128-CTR — and the
// key-derivation cost is bounded, so a hostile file cannot make the process allocate gigabytes.
// Nothing here ever puts the passphrase, the derived key or the private key into an error.
import crypto from "node:crypto";
import { keccak_256 } from "@noble/hashes/sha3.js";

/** The largest scrypt cost accepted: geth's "standard" N, and r × p as high as any tool writes. */
const MAX_SCRYPT_N = 262_144;
const MAX_SCRYPT_R = 8;
const MAX_SCRYPT_P = 16;
const MAX_PBKDF2_ROUNDS = 10_000_000;

export class KeystoreError extends Error {}

type Json = Record<string, unknown>;

const hex = (v: unknown, what: string, bytes?: number): Buffer => {
  const s = typeof v === "string" ? v.replace(/^0x/, "") : "";
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(s) || (bytes !== undefined && s.length !== bytes * 2)) throw new KeystoreError(`${what} is not ${bytes ?? "some"} bytes of hex`);
  return Buffer.from(s, "hex");
};
const posInt = (v: unknown, what: string, max: number): number => {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1 || v > max) throw new KeystoreError(`${what} must be a whole number from 1 to ${max}`);
  return v;
};

function deriveKey(c: Json, password: string): Buffer {
  const params = (c.kdfparams ?? {}) as Json;
  if (params.dklen !== 32) throw new KeystoreError("kdfparams.dklen must be 32");
  const salt = hex(params.salt, "kdfparams.salt");
  if (c.kdf === "scrypt") {
    const N = posInt(params.n, "kdfparams.n", MAX_SCRYPT_N);
    if ((N & (N - 1)) !== 0 || N < 2) throw new KeystoreError("kdfparams.n must be a power of 2");
    const r = posInt(params.r, "kdfparams.r", MAX_SCRYPT_R);
    const p = posInt(params.p, "kdfparams.p", MAX_SCRYPT_P);
    // OpenSSL (node:crypto's scrypt) refuses N ≥ 2^(16·r); geth and foundry write r = 8. A pure-JS
    // scrypt would take these files too, at minutes per start on a busy host.
    if (r < 4 && N >= 2 ** (16 * r)) throw new KeystoreError(`scrypt with r = ${r} needs kdfparams.n below ${2 ** (16 * r)}`);
    // scrypt needs 128 × N × r bytes plus 128 × r × p; Node's default ceiling (32 MiB) is below geth's files.
    return crypto.scryptSync(password.normalize("NFKD"), salt, 32, { N, r, p, maxmem: 128 * r * (N + 2 + p) + 1024 * 1024 });
  }
  if (c.kdf === "pbkdf2") {
    if (params.prf !== "hmac-sha256") throw new KeystoreError("kdfparams.prf must be hmac-sha256");
    const rounds = posInt(params.c, "kdfparams.c", MAX_PBKDF2_ROUNDS);
    return crypto.pbkdf2Sync(password.normalize("NFKD"), salt, rounds, 32, "sha256");
  }
  throw new KeystoreError("kdf must be scrypt or pbkdf2");
}

/** The private key (0x + 64 hex) of a v3 keystore's JSON text, or KeystoreError saying what is wrong. */
export function decryptKeystore(text: string, password: string): `0x${string}` {
  let doc: Json;
  try {
    doc = JSON.parse(text) as Json;
  } catch {
    throw new KeystoreError("is not JSON");
  }
  if (doc === null || typeof doc !== "object" || doc.version !== 3) throw new KeystoreError("is not a version 3 keystore");
  // geth writes "crypto", some older tools "Crypto".
  const c = (doc.crypto ?? doc.Crypto) as Json | undefined;
  if (!c || typeof c !== "object") throw new KeystoreError("has no crypto section");
  if (c.cipher !== "aes-128-ctr") throw new KeystoreError("cipher must be aes-128-ctr");
  const iv = hex((c.cipherparams as Json | undefined)?.iv, "cipherparams.iv", 16);
  const ciphertext = hex(c.ciphertext, "ciphertext", 32);
  const mac = hex(c.mac, "mac", 32);
  const derived = deriveKey(c, password);
  // The MAC tells a wrong passphrase from a right one before anything is decrypted.
  const expected = Buffer.from(keccak_256(Buffer.concat([derived.subarray(16, 32), ciphertext])));
  if (!crypto.timingSafeEqual(expected, mac)) throw new KeystoreError("does not open with this passphrase (MAC mismatch)");
  const decipher = crypto.createDecipheriv("aes-128-ctr", derived.subarray(0, 16), iv);
  const key = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  return `0x${key.toString("hex")}`;
}
