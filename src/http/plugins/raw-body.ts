// JSON, form and plain-text bodies are parsed by hand so the exact bytes stay available: request
// signatures (trading dialect x-signature) and idempotency fingerprints are computed over the raw
// body. Every body a route can parse keeps its bytes: a form body once did not (it went through
// @fastify/formbody), so a form-encoded POST was fingerprinted without its body (the same key with
// another body replayed the first answer) and signed over the empty string (found by fuzzing).
// Multipart bodies keep theirs in plugins/multipart-form.ts.
import type { FastifyInstance, FastifyRequest } from "fastify";
import { parse as parseForm } from "fast-querystring";

declare module "fastify" {
  interface FastifyRequest {
    rawBody: Buffer | null;
  }
}

type ParseBody = (buf: Buffer) => unknown;

/** A content-type parser that keeps the bytes before it parses them: every parser here is one. */
function keepingBytes(parse: ParseBody) {
  return (request: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void): void => {
    const buf = body as Buffer;
    request.rawBody = buf;
    let parsed: unknown;
    try {
      parsed = parse(buf);
    } catch (err) {
      return done(err as Error, undefined);
    }
    done(null, parsed);
  };
}

function parseJson(buf: Buffer): unknown {
  // Some clients send Content-Type: application/json with no body on POST actions.
  if (buf.length === 0) return undefined;
  try {
    return JSON.parse(buf.toString("utf8"));
  } catch {
    throw Object.assign(new SyntaxError("invalid json"), { statusCode: 400 });
  }
}

export function installRawBody(app: FastifyInstance, bodyLimit: number): void {
  app.decorateRequest("rawBody", null);
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser(/^application\/([\w.+-]+\+)?json(;.*)?$/, { parseAs: "buffer" }, keepingBytes(parseJson));
  // The console's, the portal's and the cabinet's forms, and API clients that post forms.
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "buffer", bodyLimit }, keepingBytes((buf) => parseForm(buf.toString())));
  // Fastify's own text/plain parser, with the bytes kept: no route takes text, but one that ignores its body still answers.
  app.removeContentTypeParser("text/plain");
  app.addContentTypeParser("text/plain", { parseAs: "buffer", bodyLimit }, keepingBytes((buf) => buf.toString()));
}
