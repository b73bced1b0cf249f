// AES-256-GCM under keys derived from the server secret. The output names its key id, so the secret
// can be rotated: old ciphertexts keep decrypting with the key they name.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { derivedKey } from "./derived-key.js";

export interface SecretBox {
  readonly keyId: string;
  encrypt(plain: string): string;
  decrypt(box: string): string;
}

/** The id a ciphertext names: derived from the secret, so it says which key without revealing it. */
export function secretKeyId(secret: string): string {
  return Buffer.from(hkdfSync("sha256", secret, "rampart", "key-id", 8)).toString("hex");
}

/** Ciphertexts written before key ids were derived from the secret all name "k1". */
const LEGACY_KEY_ID = "k1";

function deriveAesKey(secret: string, purpose: string): Buffer {
  return derivedKey(secret, `aes-256-gcm:${purpose}`);
}

function open(key: Buffer, iv: string, tag: string, data: string): string {
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
}

/**
 * `current` encrypts; every key in `all` (by id) decrypts. Ciphertext: `v1.<keyId>.<iv>.<tag>.<data>`
 * in base64url. A legacy "k1" ciphertext is tried under each key (the GCM tag tells which one opens it).
 */
export function createSecretBox(purpose: string, current: { id: string; secret: string }, all = [current]): SecretBox {
  const keys = new Map(all.map((k) => [k.id, deriveAesKey(k.secret, purpose)]));
  const enc = keys.get(current.id)!;
  return {
    keyId: current.id,
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", enc, iv);
      const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      const tag = cipher.getAuthTag();
      return ["v1", current.id, iv.toString("base64url"), tag.toString("base64url"), data.toString("base64url")].join(".");
    },
    decrypt(box) {
      const [v, keyId, iv, tag, data] = box.split(".");
      if (v !== "v1" || keyId === undefined || !iv || !tag || data === undefined) throw new Error("unreadable ciphertext");
      const candidates = keyId === LEGACY_KEY_ID ? [...keys.values()] : [keys.get(keyId)].filter((k) => k !== undefined);
      for (const key of candidates) {
        try {
          return open(key, iv, tag, data);
        } catch {
          // the next candidate (legacy ids only); the error below names no key
        }
      }
      throw new Error("unreadable ciphertext");
    },
  };
}
