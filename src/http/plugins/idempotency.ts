// Opt-in Idempotency-Key support for a POST route:
//
//   app.post("/x", { schema, ...idempotent(deps, (request) => `merchant:${principal(request).merchantId}`) }, handler)
//
// The scope function runs after the dialect's authentication (preValidation/onRequest hooks) and must
// name the tenant (per merchant; per customer in /v3). Without the header the route runs as usual.
import type { FastifyReply, FastifyRequest, onSendHookHandler, preHandlerHookHandler } from "fastify";
import type { Deps } from "../../app/deps.js";
import { beginIdempotent, completeIdempotent, type IdempotencyClaim, requestFingerprint } from "../../app/idempotency/idempotency-keys.js";
import { AppError } from "../../core/shared/errors.js";

export const IDEMPOTENCY_HEADER = "idempotency-key";
export const REPLAYED_HEADER = "idempotent-replayed";
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** Headers that belong to one response on the wire, not to the stored answer. */
const NOT_STORED = new Set(["content-length", "date", "connection", "keep-alive", "transfer-encoding", "x-request-id", "set-cookie", "retry-after"]);
const storable = (name: string) => !NOT_STORED.has(name) && !name.startsWith("x-ratelimit") && !name.startsWith("ratelimit");

const claims = new WeakMap<FastifyRequest, IdempotencyClaim>();

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
    const claim: IdempotencyClaim = { scope: await scope(request), key: raw, fingerprint: requestFingerprint(request.method, request.url, request.rawBody) };
    const r = await beginIdempotent(deps, claim);
    if (r.kind === "owner") {
      claims.set(request, claim);
      return;
    }
    return reply.code(r.response.status).headers({ ...r.response.headers, [REPLAYED_HEADER]: "true" }).send(r.response.body);
  };
  const onSend = async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const claim = claims.get(request);
    if (!claim) return payload;
    claims.delete(request);
    const body = typeof payload === "string" ? payload : Buffer.isBuffer(payload) ? payload.toString("utf8") : null;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(reply.getHeaders())) if (v !== undefined && storable(k)) headers[k] = String(v);
    // A streamed body cannot be stored: free the key rather than replaying something else.
    await completeIdempotent(deps, claim, { status: body === null ? 500 : reply.statusCode, headers, body: body ?? "" });
    return payload;
  };
  return { preHandler: preHandler as preHandlerHookHandler, onSend: onSend as onSendHookHandler };
}
