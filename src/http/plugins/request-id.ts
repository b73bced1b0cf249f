// Every response carries x-request-id. A well-formed incoming id is kept so traces join up across
// services; anything else is replaced.
import { randomBytes } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { IncomingMessage } from "node:http";

const SAFE_ID = /^[A-Za-z0-9._:-]{8,64}$/;

export function genRequestId(req: IncomingMessage): string {
  const incoming = req.headers["x-request-id"];
  if (typeof incoming === "string" && SAFE_ID.test(incoming)) return incoming;
  return `req_${randomBytes(12).toString("base64url")}`;
}

export function installRequestId(app: FastifyInstance): void {
  app.addHook("onRequest", async (request, reply) => {
    void reply.header("x-request-id", request.id);
  });
}
