import type { SecretBox } from "../../core/crypto/secret-box.js";
import { type SecretConfig, secretBox } from "../secret/secret-boxes.js";

/** Encrypts the copy of a merchant API key that webhook signing needs (trading dialect contract). */
export function apiKeyBox(deps: { config: SecretConfig }): SecretBox {
  return secretBox(deps.config, "api-key");
}
