// Opt-in Idempotency-Key support for a POST route:
//
//   app.post("/x", { schema, ...idempotent(deps, (request) => `merchant:${principal(request).merchantId}`) }, handler)
//
// The scope function runs after the dialect's authentication (preValidation/onRequest hooks) and must
// name the tenant (per merchant; per customer in /v3). Without the header the route runs as usual.
//
// By default the response is stored right after the handler (onSend). To commit it WITH the work, a
// handler renders its answer inside the use case's transaction and stores it there:
//
//   const idem = idempotencyOf(request);
//   let res!: StoredResponse;
//   await createThing(deps, input, async (trx, result) => {        // the use case's pre-commit hook
//     res = renderResponse(reply, 201, thingObject(result));        // render from data at hand (trx only)
//     await idem?.commitWith(trx, res);
//   });
//   return sendResponse(reply, res);                                // exactly the stored bytes
import type { Transaction } from "kysely";
import type { FastifyReply, FastifyRequest, onSendHookHandler, preHandlerHookHandler } from "fastify";
import type { Deps } from "../../app/deps.js";
import {
  beginIdempotent,
  commitIdempotentResponse,
  completeIdempotent,
  type OwnedClaim,
  requestFingerprint,
  type StoredResponse,
} from "../../app/idempotency/idempotency-keys.js";
import { AppError } from "../../core/shared/errors.js";
import type { DB } from "../../db/schema.js";

export type { StoredResponse } from "../../app/idempotency/idempotency-keys.js";

export const IDEMPOTENCY_HEADER = "idempotency-key";
export const REPLAYED_HEADER = "idempotent-replayed";
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** Headers that belong to one response on the wire, not to the stored answer. */
const NOT_STORED = new Set(["content-length", "date", "connection", "keep-alive", "transfer-encoding", "x-request-id", "set-cookie", "retry-after"]);
const storable = (name: string) => !NOT_STORED.has(name) && !name.startsWith("x-ratelimit") && !name.startsWith("ratelimit");

const claims = new WeakMap<FastifyRequest, OwnedClaim>();

export interface IdempotentRequest {
  /** Stores `response` in `trx` (the work's transaction); throws idempotency_key_in_flight if the key was taken over. */
  commitWith(trx: Transaction<DB>, response: StoredResponse): Promise<void>;
}

/** The request's idempotency claim when it carries an Idempotency-Key it owns; undefined otherwise. */
export function idempotencyOf(request: FastifyRequest): IdempotentRequest | undefined {
  const claim = claims.get(request);
  return claim && { commitWith: (trx, response) => commitIdempotentResponse(trx, claim, response) };
}

/** Renders a JSON answer once, through the route's response schema, for storing and for sending. */
export function renderResponse(reply: FastifyReply, status: number, payload: unknown, headers: Record<string, string> = {}): StoredResponse {
  reply.code(status);
  const body = reply.serialize(payload);
  return { status, headers: { "content-type": "application/json; charset=utf-8", ...headers }, body: typeof body === "string" ? body : Buffer.from(body as ArrayBuffer).toString("utf8") };
}

/** Sends a rendered answer as is (the same path a replay takes, so both are the same bytes). */
export function sendResponse(reply: FastifyReply, response: StoredResponse): FastifyReply {
  return reply.code(response.status).headers(response.headers).send(response.body);
}

export function idempotent(
  deps: Deps,
  scope: (request: FastifyRequest) => string | Promise<string>,
): { preHandler: preHandlerHookHandler; onSend: onSendHookHandler } {
  const preHandler = async (request: FastifyRequest, reply: FastifyReply) => {
    const raw = request.headers[IDEMPOTENCY_HEADER];
    if (raw === undefined) return;
    if (typeof raw !== "string" || !KEY_PATTERN.test(raw)) {
      throw new AppError("validation_failed", { field: "Idempotency-Key", message: "Idempotency-Key must be 1-255 visible ASCII characters" });
    }
    const claim = { scope: await scope(request), key: raw, fingerprint: requestFingerprint(request.method, request.url, request.rawBody) };
    const r = await beginIdempotent(deps, claim);
    if (r.kind === "owner") {
      claims.set(request, r.claim);
      return;
    }
    return sendResponse(reply.header(REPLAYED_HEADER, "true"), r.response);
  };
  const onSend = async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const claim = claims.get(request);
    if (!claim) return payload;
    claims.delete(request);
    const body = typeof payload === "string" ? payload : Buffer.isBuffer(payload) ? payload.toString("utf8") : null;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(reply.getHeaders())) if (v !== undefined && storable(k)) headers[k] = String(v);
    // A streamed body cannot be stored: free the key rather than replaying something else. When the
    // answer was committed with the work this is a no-op (the row is done); when that transaction
    // rolled back, this stores the error answer instead.
    await completeIdempotent(deps, claim, { status: body === null ? 500 : reply.statusCode, headers, body: body ?? "" });
    return payload;
  };
  return { preHandler: preHandler as preHandlerHookHandler, onSend: onSend as onSendHookHandler };
}
