// AES-256-GCM under keys derived from the server secret. The output names its key id, so the secret
// can be rotated: old ciphertexts keep decrypting with the key they name.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

export interface SecretBox {
  readonly keyId: string;
  encrypt(plain: string): string;
  decrypt(box: string): string;
}

function deriveAesKey(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, "rampart", `aes-256-gcm:${purpose}`, 32));
}

/**
 * `current` encrypts; every key in `all` (by id) decrypts. Ciphertext: `v1.<keyId>.<iv>.<tag>.<data>`
 * in base64url.
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
      const key = keyId === undefined ? undefined : keys.get(keyId);
      if (v !== "v1" || !key || !iv || !tag || data === undefined) throw new Error("unreadable ciphertext");
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
    },
  };
}
