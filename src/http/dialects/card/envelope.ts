// Error bodies of the card dialect (docs/contract-card.md#errors). Most errors use the vault.ist envelope
// `{ message, field, errorId, systemId: "rampart", error: "<CODE>", data? }` (message is always set:
// clients surface it). A bad bearer token answers in the OAuth2 resource-server shape, and
// /oauth/token in the OAuth2 token-endpoint shape, as the clients of this API expect.
import { createHash } from "node:crypto";
import type { ErrorRenderer } from "../../errors/error-handling.js";

/** A stable number per error code (the envelope's errorId is an integer). */
function errorIdOf(code: string): number {
  return Number.parseInt(createHash("sha256").update(code).digest("hex").slice(0, 8), 16) % 100_000;
}

export const renderCardError: ErrorRenderer = (e) => {
  if (e.code === "invalid_token") return { error: "invalid_token", error_description: e.message, message: e.message };
  const data = e.details && Object.keys(e.details).length > 0 && e.code !== "validation_failed" ? { data: e.details } : {};
  return { message: e.message, field: e.field ?? null, errorId: errorIdOf(e.code), systemId: "rampart", error: e.code.toUpperCase(), ...data };
};

/** RFC 6749 §5.2 codes for the token endpoint. */
const OAUTH_CODES: Record<string, string> = {
  invalid_grant: "invalid_grant",
  unsupported_grant_type: "unsupported_grant_type",
  invalid_client: "invalid_client",
  validation_failed: "invalid_request",
  invalid_json: "invalid_request",
  unsupported_media_type: "invalid_request",
};

export const renderOAuthError: ErrorRenderer = (e) => ({
  error: OAUTH_CODES[e.code] ?? e.code,
  error_description: e.message,
});
