// Every response carries x-request-id. A well-formed incoming id is kept so traces join up across
// services; anything else is replaced.
import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { IncomingMessage } from "node:http";

const SAFE_ID = /^[A-Za-z0-9._:-]{8,64}$/;

export function genRequestId(req: IncomingMessage): string {
  const incoming = req.headers["x-request-id"];
  if (typeof incoming === "string" && SAFE_ID.test(incoming)) return incoming;
  // randomUUID draws from a cached entropy pool: ~0.5 µs against ~7 µs of CPU for randomBytes(12)
  // on this machine, a tenth of a cached status read's whole cost (issue 16).
  return `req_${randomUUID()}`;
}

export function installRequestId(app: FastifyInstance): void {
  app.addHook("onRequest", async (request, reply) => {
    void reply.header("x-request-id", request.id);
  });
}
