// Optional request signatures of the trading dialect: `x-signature` = lower-case hex HMAC-SHA256 keyed
// with the API key, over the raw body as sent (JSON bytes; for an upload, the whole multipart body,
// boundaries and part headers included), or, for a GET (or HEAD), over the path and query exactly as
// sent ("/payment/trading/pay-in?status=active&limit=5"), since it has no body to sign. Checked when
// present; required when the merchant's requireRequestSignature is set.
import { createHmac, timingSafeEqual } from "node:crypto";
import { AppError } from "../../core/shared/errors.js";
import { type MaybeAsync, thenMaybe } from "../../core/shared/maybe-async.js";
import type { TradingSettingsRow } from "../../db/trading/settings.js";
import type { Deps } from "../deps.js";
import { readTradingSettingsRow } from "./settings-cache.js";

function hmacHex(key: string, body: Buffer | string): string {
  return createHmac("sha256", key).update(body).digest("hex");
}

/** What a request's x-signature covers (see the header comment). */
export function signedBytes(method: string, url: string, rawBody: Buffer | null): Buffer {
  if (method === "GET" || method === "HEAD") return Buffer.from(url, "utf8");
  return rawBody ?? Buffer.alloc(0);
}

/**
 * Returns the merchant's settings row when it had to read it (null: none), undefined otherwise, so
 * the handler need not read it again (see loadTradingSettings).
 */
export function checkRequestSignature(
  deps: Deps,
  merchantId: string,
  apiKey: string,
  signed: Buffer,
  signature: string | undefined,
): MaybeAsync<TradingSettingsRow | null | undefined> {
  if (signature === undefined) {
    return thenMaybe(readTradingSettingsRow(deps, merchantId), (s) => {
      if (s?.require_request_signature) throw new AppError("invalid_signature", { message: "x-signature is required" });
      return s;
    });
  }
  const expected = Buffer.from(hmacHex(apiKey, signed), "utf8");
  const presented = Buffer.from(signature.trim().toLowerCase(), "utf8");
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) throw new AppError("invalid_signature");
  return undefined;
}
