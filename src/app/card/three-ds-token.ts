// The token in a hosted 3-D Secure page link (authLink): the payment id and an HMAC of it under a key
// derived from the server secret (auth/signed-link.ts). Nothing is stored, so the same link can be
// given again on a replay.
import { idOfSignedLink, signedLinkToken } from "../auth/signed-link.js";
import { UUID_PATTERN } from "../../core/shared/uuid.js";
import type { Deps } from "../deps.js";

const PAYMENT_ID = new RegExp(UUID_PATTERN);

export function threeDsToken(deps: Pick<Deps, "config">, paymentId: string): string {
  return signedLinkToken(deps.config.secretKey, "card-3ds-link", paymentId);
}

/** The payment id of a genuine token, else null. */
export function paymentIdOfToken(deps: Pick<Deps, "config">, token: string): string | null {
  return idOfSignedLink(deps.config.secretKey, "card-3ds-link", token, PAYMENT_ID);
}
