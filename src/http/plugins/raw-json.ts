// JSON bodies are parsed by hand so the exact bytes stay available: request signatures (trading
// dialect x-signature) and idempotency fingerprints are computed over the raw body.
import type { FastifyInstance } from "fastify";

declare module "fastify" {
  interface FastifyRequest {
    rawBody: Buffer | null;
  }
}

export function installRawJson(app: FastifyInstance): void {
  app.decorateRequest("rawBody", null);
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser(/^application\/([\w.+-]+\+)?json(;.*)?$/, { parseAs: "buffer" }, (request, body, done) => {
    const buf = body as Buffer;
    request.rawBody = buf;
    // Some clients send Content-Type: application/json with no body on POST actions.
    if (buf.length === 0) return done(null, undefined);
    try {
      done(null, JSON.parse(buf.toString("utf8")));
    } catch {
      const err = new SyntaxError("invalid json") as SyntaxError & { statusCode: number };
      err.statusCode = 400;
      done(err, undefined);
    }
  });
}
