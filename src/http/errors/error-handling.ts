// One error handler: every dialect installs it in its own scope with its own envelope renderer.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ERROR_CATALOGUE } from "../../core/shared/errors.js";
import { type HttpError, normalizeError } from "./normalize.js";

export type ErrorRenderer = (error: HttpError, requestId: string) => unknown;

/** Rampart's own envelope, used by the operations, admin and trader APIs. */
export const renderDefaultError: ErrorRenderer = (e, requestId) => ({
  error: e.code,
  message: e.message,
  ...(e.field !== undefined ? { field: e.field } : {}),
  ...(e.details?.currentStatus !== undefined ? { currentStatus: e.details.currentStatus } : {}),
  requestId,
});

function sendError(reply: FastifyReply, request: FastifyRequest, err: unknown, render: ErrorRenderer): FastifyReply {
  const e = normalizeError(err);
  if (e.internal) request.log.error({ err }, "unhandled error");
  else request.log.info({ code: e.code, status: e.status }, "request refused");
  if (e.headers) void reply.headers(e.headers);
  return reply.code(e.status).type("application/json; charset=utf-8").send(render(e, request.id));
}

/**
 * Fastify's refusals before any route is found (a path segment over maxParamLength, a malformed
 * percent-encoding), in Rampart's own envelope like unknown routes: without it Fastify answered them
 * in its own body, without a catalogue code or request id.
 */
export const frameworkErrors = (err: unknown, request: FastifyRequest, reply: FastifyReply) => void sendError(reply, request, err, renderDefaultError);

/** The error handler of a scope: dialects call this in their own scope with their own envelope. */
export function installErrorHandling(app: FastifyInstance, render: ErrorRenderer): void {
  app.setErrorHandler((err, request, reply) => sendError(reply, request, err, render));
}

/**
 * Unknown routes: Fastify allows one not-found handler per prefix, and the dialects share the root
 * prefix (/payment/...), so only the app root sets it, in Rampart's own envelope.
 */
export function installNotFoundHandling(app: FastifyInstance, render: ErrorRenderer): void {
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .type("application/json; charset=utf-8")
      .send(
        render(
          { status: 404, code: "route_not_found", message: ERROR_CATALOGUE.route_not_found.message, internal: false },
          request.id,
        ),
      ),
  );
}
