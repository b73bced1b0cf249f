// Every value Rampart keeps encrypted goes through a box from here: the current server secret
// encrypts; the current one and, during a rotation, the previous one decrypt. `rampart secret rotate`
// (rotate-secret.ts) re-encrypts what the previous one wrote.
import { createSecretBox, type SecretBox, secretKeyId } from "../../core/crypto/secret-box.js";
import type { Deps } from "../deps.js";

/** One purpose per kind of value, so each is encrypted under its own derived key. */
type SecretPurpose = "api-key" | "webhook-secret" | "ipn-secret" | "card-pan" | "key-check" | "totp-secret";

export type SecretConfig = Pick<Deps["config"], "secretKey" | "previousSecretKey">;

/** The secrets that may open a ciphertext, the current one first. */
export function secretKeys(config: SecretConfig): string[] {
  return config.previousSecretKey ? [config.secretKey, config.previousSecretKey] : [config.secretKey];
}

export function secretBox(config: SecretConfig, purpose: SecretPurpose): SecretBox {
  const [current, ...rest] = secretKeys(config).map((secret) => ({ id: secretKeyId(secret), secret }));
  return createSecretBox(purpose, current!, [current!, ...rest]);
}
