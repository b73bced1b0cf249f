// Webhook signatures of the three formats. All are lower-case hex HMAC-SHA256; verification compares
// in constant time and, where a timestamp is signed, refuses stale or future ones beyond a tolerance.
import { createHmac, timingSafeEqual } from "node:crypto";

function hmacHex(key: string, message: string | Uint8Array): string {
  return createHmac("sha256", key).update(message).digest("hex");
}

/** Constant-time equality of two hex strings (any length mismatch is simply false). */
function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

// --- trading dialect: x-signature over the exact raw body bytes, keyed with the merchant API key ---

export function signTradingBody(apiKey: string, rawBody: string | Uint8Array): string {
  return hmacHex(apiKey, rawBody);
}

export function verifyTradingBody(apiKey: string, rawBody: string | Uint8Array, signature: string): boolean {
  return sameHex(signTradingBody(apiKey, rawBody), signature);
}

// --- intent IPN: signature over "<paymentIntentId>.<paymentIntentStatus>.<timestamp>" ---

export function signIpn(ipnSecret: string, p: { paymentIntentId: string; paymentIntentStatus: string; timestamp: number }): string {
  return hmacHex(ipnSecret, `${p.paymentIntentId}.${p.paymentIntentStatus}.${p.timestamp}`);
}

const DEFAULT_TOLERANCE_S = 300;

function fresh(timestamp: number, nowS: number, toleranceS: number): boolean {
  return Number.isSafeInteger(timestamp) && Math.abs(nowS - timestamp) <= toleranceS;
}

/** `nowS` is the receiver's unix time in seconds. */
export function verifyIpn(
  ipnSecret: string,
  p: { paymentIntentId: string; paymentIntentStatus: string; timestamp: string; signature: string },
  nowS: number,
  toleranceS = DEFAULT_TOLERANCE_S,
): boolean {
  if (!/^\d{1,12}$/.test(p.timestamp)) return false;
  const t = Number(p.timestamp);
  return fresh(t, nowS, toleranceS) && sameHex(signIpn(ipnSecret, { ...p, timestamp: t }), p.signature);
}

// --- envelope: header `rampart-signature: t=<unix>,v1=<hex HMAC of "<t>.<body>">` ---

export const ENVELOPE_SIGNATURE_HEADER = "rampart-signature";

/**
 * One v1 entry per secret: during a rotation's overlap an endpoint's current and previous secrets both
 * sign, so a receiver still holding either accepts the request.
 */
export function signEnvelope(secrets: string | readonly string[], body: string, timestamp: number): string {
  const list = typeof secrets === "string" ? [secrets] : secrets;
  return [`t=${timestamp}`, ...list.map((s) => `v1=${hmacHex(s, `${timestamp}.${body}`)}`)].join(",");
}

/** Accepts several v1 entries (secret rotation on the sender side). */
export function verifyEnvelope(secret: string, body: string, header: string, nowS: number, toleranceS = DEFAULT_TOLERANCE_S): boolean {
  let t: number | null = null;
  const v1: string[] = [];
  for (const part of header.split(",")) {
    const [k, v] = part.trim().split("=", 2);
    if (k === "t" && v && /^\d{1,12}$/.test(v)) t = Number(v);
    else if (k === "v1" && v) v1.push(v);
  }
  if (t === null || !fresh(t, nowS, toleranceS)) return false;
  const expected = hmacHex(secret, `${t}.${body}`);
  return v1.some((sig) => sameHex(expected, sig));
}
