// Idempotency-Key semantics for every POST: the first request claims (scope, key) atomically and its
// response is stored; a repeat with the same fingerprint replays that response byte for byte
// (errors from execution included); a different fingerprint is 422; a repeat while the first is still
// running waits briefly for it, then replays it or answers 409.
//
// When the response is stored: every use case that writes takes a CommitAnswer hook and calls it in
// its transaction once the result is final; the route renders its answer there and stores it
// (commitIdempotentResponse), so the work and its answer commit together and a crash after commit
// leaves a replayable key, never a retry that runs the work again. A use case that commits more than
// once (the vendor's answer recorded in a second transaction) calls the hook in each: the later
// answer revises the earlier one. A request that wrote nothing (a refusal, a duplicate) has its answer
// stored by the HTTP layer right after the handler.
import { createHash } from "node:crypto";
import type { Transaction } from "kysely";
import { AppError } from "../../core/shared/errors.js";
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  findIdempotencyKey,
  releaseIdempotencyKey,
  takeOverIdempotencyKey,
} from "../../db/idempotency/idempotency-keys.js";
import { afterCommit } from "../../db/commit-hooks.js";
import type { DB } from "../../db/schema.js";
import type { Deps } from "../deps.js";
import { canonicalJson } from "../../core/shared/canonical-json.js";

const IDEMPOTENCY_TTL_MS = 24 * 3600_000;
/** An in-flight claim older than this is treated as abandoned (its process died) and may be taken over. */
export const IN_FLIGHT_ABANDON_MS = 5 * 60_000;
const WAIT_STEP_MS = 20;

interface IdempotencyClaim {
  scope: string;
  key: string;
  fingerprint: string;
}

/** A claim this request owns. `claimedAt` is the row's created_at: the owner token (a takeover rewrites it). */
export interface OwnedClaim extends IdempotencyClaim {
  claimedAt: Date;
}

/**
 * A use case's pre-commit hook: called inside the work's transaction once its result is final, with
 * the result the use case returns (see the file comment); if the transaction then fails, the stored
 * answer rolls back with the work. Optional: absent without a key.
 */
export type CommitAnswer<R> = (trx: Transaction<DB>, result: R) => Promise<void>;

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const JSON_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;

/**
 * sha256 over method, URL and the body: a JSON body as its value (canonicalJson: key order and
 * whitespace do not count, so a client that serialises its retry anew is still replayed, as a
 * retry that changes a value is refused), any other body as its exact bytes.
 */
export function requestFingerprint(method: string, url: string, contentType: string | undefined, rawBody: Uint8Array | null): string {
  const h = createHash("sha256").update(`${method.toUpperCase()} ${url}\n`);
  if (rawBody && rawBody.length > 0 && contentType !== undefined && JSON_TYPE.test(contentType)) {
    // The route parsed this body already (a malformed or too deep one never gets here); read from the
    // bytes, not request.body, which validation fills with the schema's defaults: what the client sent.
    return h.update(`json:${canonicalJson(JSON.parse(Buffer.from(rawBody).toString("utf8")))}`).digest("hex");
  }
  return h.update(rawBody ?? new Uint8Array()).digest("hex");
}

/**
 * Claims the key or finds its stored response. Returns "owner" when the caller must execute the
 * request (and later call completeIdempotent), or the response to replay. Throws AppError
 * idempotency_key_reused / idempotency_key_in_flight.
 */
export async function beginIdempotent(
  deps: Deps,
  c: IdempotencyClaim,
): Promise<{ kind: "owner"; claim: OwnedClaim } | { kind: "replay"; response: StoredResponse }> {
  const db = deps.database.db;
  const started = Date.now();
  for (;;) {
    const now = deps.clock.now();
    const expiresAt = new Date(now.getTime() + IDEMPOTENCY_TTL_MS);
    if (await claimIdempotencyKey(db, { ...c, now, expiresAt })) return { kind: "owner", claim: { ...c, claimedAt: now } };
    const row = await findIdempotencyKey(db, c.scope, c.key);
    if (!row) continue; // released meanwhile: claim again
    const abandonedBefore = new Date(now.getTime() - IN_FLIGHT_ABANDON_MS);
    if (row.expires_at <= now || (row.status === "in_flight" && row.created_at < abandonedBefore)) {
      if (await takeOverIdempotencyKey(db, { ...c, now, expiresAt, abandonedBefore })) return { kind: "owner", claim: { ...c, claimedAt: now } };
      continue;
    }
    if (row.fingerprint !== c.fingerprint) throw new AppError("idempotency_key_reused", { field: "Idempotency-Key" });
    if (row.status === "done") {
      return { kind: "replay", response: { status: row.response_status ?? 200, headers: row.response_headers ?? {}, body: row.response_body ?? "" } };
    }
    if (Date.now() - started >= deps.config.idempotencyWaitMs) throw new AppError("idempotency_key_in_flight", { headers: { "retry-after": "1" } });
    await new Promise((r) => setTimeout(r, WAIT_STEP_MS));
  }
}

/**
 * Stores the owner's response after the handler; a 5xx is not stored (it is not an answer): the key is
 * freed for a retry. Both are no-ops when the response was already committed with the work.
 */
export async function completeIdempotent(deps: Deps, c: OwnedClaim, response: StoredResponse): Promise<void> {
  if (response.status >= 500) await releaseIdempotencyKey(deps.database.db, c);
  else await completeIdempotencyKey(deps.database.db, { ...c, ...response });
}

/**
 * Stores the response in the use case's own transaction, so it commits (or rolls back) with the work;
 * an answer this owner committed earlier (a first transaction of the same request) is revised.
 * Throws idempotency_key_in_flight when this request no longer owns the key (it was taken over as
 * abandoned): the work must then roll back, since the new owner is doing it. `onCommitted` runs once
 * the transaction has committed (never if it rolls back).
 */
export async function commitIdempotentResponse(trx: Transaction<DB>, c: OwnedClaim, response: StoredResponse, onCommitted?: () => void): Promise<void> {
  if (response.status >= 500) throw new Error("commitIdempotentResponse: a 5xx is not an answer to store");
  if (!(await completeIdempotencyKey(trx, { ...c, ...response, revise: true }))) {
    throw new AppError("idempotency_key_in_flight", { headers: { "retry-after": "1" } });
  }
  if (onCommitted) afterCommit(trx, onCommitted);
}
