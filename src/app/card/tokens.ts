// Customer tokens. The access token is an HS256 JWT (sub = customer id, sid = session id, exp = 24 h)
// signed with a key derived from the server secret; the refresh token is opaque, stored only hashed.
// Expiry is judged by deps.clock, so tests and the sandbox clock move it.
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { derivedKey } from "../../core/crypto/derived-key.js";
import { AppError } from "../../core/shared/errors.js";
import type { Deps } from "../deps.js";

const ACCESS_TOKEN_TTL_SECONDS = 24 * 3600;
export const REFRESH_TOKEN_TTL_MS = 30 * 24 * 3600_000;

interface AccessClaims {
  sub: string; // customer id
  sid: string; // session id
  mid: string; // merchant id
  iat: number;
  exp: number;
  jti: string;
  scope: string[];
}

export interface TokenObject {
  access_token: string;
  token_type: "bearer";
  refresh_token: string;
  expires_in: number;
  scope: "read write";
  jti: string;
}

const jwtKey = (secret: string): Buffer => derivedKey(secret, "card-access-token:hs256");

const HEADER = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");

function sign(key: Buffer, signingInput: string): Buffer {
  return createHmac("sha256", key).update(signingInput).digest();
}

export function issueAccessToken(deps: Deps, a: { customerId: string; sessionId: string; merchantId: string }): { token: string; jti: string; expiresIn: number } {
  const iat = Math.floor(deps.clock.now().getTime() / 1000);
  const claims: AccessClaims = {
    sub: a.customerId,
    sid: a.sessionId,
    mid: a.merchantId,
    iat,
    exp: iat + ACCESS_TOKEN_TTL_SECONDS,
    jti: deps.ids.uuid(),
    scope: ["read", "write"],
  };
  const input = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
  // expires_in counts whole seconds left, like the published sample (86399 for a 24 h token).
  return { token: `${input}.${sign(jwtKey(deps.config.secretKey), input).toString("base64url")}`, jti: claims.jti, expiresIn: ACCESS_TOKEN_TTL_SECONDS - 1 };
}

const invalid = (description: string) => new AppError("invalid_token", { message: description });

/**
 * Tokens whose form and signature were checked, with their claims and the key that checked them. A
 * token cannot change, so checking it again under the same key gives the same answer: a polling
 * client's repeated token skips the HMAC (issue 16). The expiry is still judged on every use, and the
 * session behind it by the caller. Only tokens that verified are held, at most MAX_VERIFIED (the oldest
 * leave first), so a flood of forged tokens can neither fill it nor get in.
 */
const verified = new Map<string, { key: Buffer; claims: AccessClaims }>();
const MAX_VERIFIED = 20_000;

function checkSignature(key: Buffer, token: string): AccessClaims {
  const parts = token.split(".");
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) throw invalid("Malformed access token.");
  const [h, p, s] = parts as [string, string, string];
  if (h !== HEADER) throw invalid("Unsupported token header.");
  const expected = sign(key, `${h}.${p}`);
  const given = Buffer.from(s, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid("Bad token signature.");
  let claims: AccessClaims;
  try {
    claims = JSON.parse(Buffer.from(p, "base64url").toString("utf8")) as AccessClaims;
  } catch {
    throw invalid("Malformed access token.");
  }
  if (typeof claims.sub !== "string" || typeof claims.sid !== "string" || typeof claims.exp !== "number") throw invalid("Malformed access token.");
  return claims;
}

/** Verifies signature, algorithm and expiry; throws invalid_token (401) naming what is wrong. */
export function verifyAccessToken(deps: Deps, token: string): AccessClaims {
  const key = jwtKey(deps.config.secretKey);
  const hit = verified.get(token);
  const claims = hit && hit.key === key ? hit.claims : checkSignature(key, token);
  if (claims.exp * 1000 <= deps.clock.now().getTime()) throw invalid("Access token expired.");
  if (!hit) {
    if (verified.size >= MAX_VERIFIED) verified.delete(verified.keys().next().value!);
    verified.set(token, { key, claims });
  }
  return claims;
}

/**
 * The merchant a token with a good signature names, expired or not (the route's own bearer check judges
 * the rest); undefined for a forged or malformed one.
 */
export function signedTokenMerchant(deps: Deps, token: string): string | undefined {
  try {
    const mid = checkSignature(jwtKey(deps.config.secretKey), token).mid;
    return typeof mid === "string" ? mid : undefined;
  } catch {
    return undefined;
  }
}

export function newRefreshToken(): { token: string; hash: Buffer } {
  const token = randomBytes(32).toString("base64url");
  return { token, hash: hashRefreshToken(token) };
}

export function hashRefreshToken(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}
