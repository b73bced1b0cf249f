// Optional request signatures of the trading dialect: `x-signature` = lower-case hex
// HMAC-SHA256(raw body, key = the API key). Checked when present; required when the merchant's
// requireRequestSignature is set.
import { createHmac, timingSafeEqual } from "node:crypto";
import { AppError } from "../../core/shared/errors.js";
import { findTradingSettings, type TradingSettingsRow } from "../../db/trading/settings.js";
import type { Deps } from "../deps.js";

function hmacHex(key: string, body: Buffer | string): string {
  return createHmac("sha256", key).update(body).digest("hex");
}

/**
 * Returns the merchant's settings row when it had to read it (null: none), undefined otherwise, so
 * the handler need not read it again (see loadTradingSettings).
 */
export async function checkRequestSignature(
  deps: Deps,
  merchantId: string,
  apiKey: string,
  rawBody: Buffer | null,
  signature: string | undefined,
): Promise<TradingSettingsRow | null | undefined> {
  if (signature === undefined) {
    const s = await findTradingSettings(deps.database.db, merchantId);
    if (s?.require_request_signature) throw new AppError("invalid_signature", { message: "x-signature is required" });
    return s ?? null;
  }
  const expected = Buffer.from(hmacHex(apiKey, rawBody ?? Buffer.alloc(0)), "utf8");
  const presented = Buffer.from(signature.trim().toLowerCase(), "utf8");
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) throw new AppError("invalid_signature");
  return undefined;
}
