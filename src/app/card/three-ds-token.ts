// The token in a hosted 3-D Secure page link (authLink): the payment id and an HMAC of it under a key
// derived from the server secret. Nothing is stored, so the same link can be given again on a replay.
import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import type { Deps } from "../deps.js";

function mac(secret: string, paymentId: string): Buffer {
  const key = Buffer.from(hkdfSync("sha256", secret, "rampart", "card-3ds-link", 32));
  return createHmac("sha256", key).update(paymentId).digest().subarray(0, 18);
}

export function threeDsToken(deps: Pick<Deps, "config">, paymentId: string): string {
  return `${paymentId}.${mac(deps.config.secretKey, paymentId).toString("base64url")}`;
}

/** The payment id of a genuine token, else null. */
export function paymentIdOfToken(deps: Pick<Deps, "config">, token: string): string | null {
  const m = /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{24})$/.exec(token);
  if (!m) return null;
  const given = Buffer.from(m[2]!, "base64url");
  const expected = mac(deps.config.secretKey, m[1]!);
  return given.length === expected.length && timingSafeEqual(given, expected) ? m[1]! : null;
}
