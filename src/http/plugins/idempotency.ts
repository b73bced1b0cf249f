// Opt-in Idempotency-Key support for a POST route:
//
//   app.post("/x", { schema, ...idempotent(deps, (request) => `merchant:${principal(request).merchantId}`) }, handler)
//
// The scope function runs after the dialect's authentication (its onRequest hook) and must
// name the tenant (per merchant; per customer in /v3). Without the header the route runs as usual.
//
// A route that writes commits its answer WITH the work: it hands the use case the pre-commit hook of
// committedAnswer and sends what was committed (src/app/idempotency/idempotency-keys.ts says why):
//
//   const answer = committedAnswer(request, reply, (result, db) => ({ status: 201, payload: thingObject(result) }));
//   return answer.send(await createThing(deps, input, answer.commit));
//
// `render` runs inside the transaction (with `db` the transaction: never the outer pool) and must
// read only through `db`. A request that wrote nothing has its answer stored right after the handler
// (onSend), as do routes that do not write.
import type { Kysely, Transaction } from "kysely";
import type { FastifyReply, FastifyRequest, onSendHookHandler, preHandlerHookHandler } from "fastify";
import type { Deps } from "../../app/deps.js";
import {
  beginIdempotent,
  type CommitAnswer,
  commitIdempotentResponse,
  completeIdempotent,
  type OwnedClaim,
  requestFingerprint,
  type StoredResponse,
} from "../../app/idempotency/idempotency-keys.js";
import { AppError } from "../../core/shared/errors.js";
import type { DB } from "../../db/schema.js";

export type { StoredResponse } from "../../app/idempotency/idempotency-keys.js";

const IDEMPOTENCY_HEADER = "idempotency-key";
const REPLAYED_HEADER = "idempotent-replayed";
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** Headers that belong to one response on the wire, not to the stored answer. */
const NOT_STORED = new Set(["content-length", "date", "connection", "keep-alive", "transfer-encoding", "x-request-id", "set-cookie", "retry-after"]);
const storable = (name: string) => !NOT_STORED.has(name) && !name.startsWith("x-ratelimit") && !name.startsWith("ratelimit");

const claims = new WeakMap<FastifyRequest, OwnedClaim>();

interface IdempotentRequest {
  /** Stores `response` in `trx` (the work's transaction); throws idempotency_key_in_flight if the key was taken over. */
  commitWith(trx: Transaction<DB>, response: StoredResponse, onCommitted?: () => void): Promise<void>;
}

/** The request's idempotency claim when it carries an Idempotency-Key it owns; undefined otherwise. */
export function idempotencyOf(request: FastifyRequest): IdempotentRequest | undefined {
  const claim = claims.get(request);
  return claim && { commitWith: (trx, response, onCommitted) => commitIdempotentResponse(trx, claim, response, onCommitted) };
}

/**
 * Renders a JSON answer once, through the route's response schema, for storing and for sending; an
 * undefined payload is an empty body (the card dialect's empty 200).
 */
export function renderResponse(reply: FastifyReply, status: number, payload: unknown, headers: Record<string, string> = {}): StoredResponse {
  reply.code(status);
  if (payload === undefined) return { status, headers, body: "" };
  const body = reply.serialize(payload);
  return { status, headers: { "content-type": "application/json; charset=utf-8", ...headers }, body: typeof body === "string" ? body : Buffer.from(body as ArrayBuffer).toString("utf8") };
}

/** What a route answers: a status, a JSON payload (undefined: empty body) and extra headers. */
interface Answer {
  status: number;
  payload?: unknown;
  headers?: Record<string, string>;
}

interface CommittedAnswer<R> {
  /** The use case's pre-commit hook; undefined when the request carries no Idempotency-Key. */
  commit: CommitAnswer<R> | undefined;
  /** Sends the answer last committed with the work, or renders `result` when nothing was committed. */
  send(result: R): Promise<FastifyReply>;
}

/** See the file comment: the answer of a route that writes, rendered and stored in the work's transaction. */
export function committedAnswer<R>(
  deps: Deps,
  request: FastifyRequest,
  reply: FastifyReply,
  render: (result: R, db: Kysely<DB>) => Answer | Promise<Answer>,
): CommittedAnswer<R> {
  const idem = idempotencyOf(request);
  let committed: StoredResponse | undefined;
  const toStored = async (result: R, db: Kysely<DB>) => {
    const a = await render(result, db);
    return renderResponse(reply, a.status, a.payload, a.headers);
  };
  return {
    commit:
      idem &&
      (async (trx, result) => {
        const res = await toStored(result, trx);
        // Kept only once it is committed: a batch that fails after this member's answer was stored
        // rolls it back and runs the member again (app/batching/write-batcher.ts), whose answer may
        // then be a replay; a later call in the same transaction (the next requisite's try) replaces it.
        await idem.commitWith(trx, res, () => (committed = res));
      }),
    send: async (result) => sendResponse(reply, committed ?? (await toStored(result, deps.database.db))),
  };
}

/** Sends a rendered answer as is (the same path a replay takes, so both are the same bytes). */
export function sendResponse(reply: FastifyReply, response: StoredResponse): FastifyReply {
  const empty = response.body === "" && response.headers["content-type"] === undefined;
  return reply.code(response.status).headers(response.headers).send(empty ? undefined : response.body);
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
    const claim = { scope: await scope(request), key: raw, fingerprint: requestFingerprint(request.method, request.url, request.headers["content-type"], request.rawBody) };
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
    const body = typeof payload === "string" ? payload : Buffer.isBuffer(payload) ? payload.toString("utf8") : payload === undefined ? "" : null;
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
