import type { Deps } from "../deps.js";
import { createSecretBox, type SecretBox } from "../../core/crypto/secret-box.js";

/** Encrypts the copy of a merchant API key that webhook signing needs (trading dialect contract). */
export function apiKeyBox(deps: Pick<Deps, "config">): SecretBox {
  return createSecretBox("api-key", { id: "k1", secret: deps.config.secretKey });
}
