// JSON, form and plain-text bodies are parsed by hand so the exact bytes stay available: request
// signatures (trading dialect x-signature) and idempotency fingerprints are computed over the raw
// body. Every body a route can parse keeps its bytes: a form body once did not (it went through
// @fastify/formbody), so a form-encoded POST was fingerprinted without its body (the same key with
// another body replayed the first answer) and signed over the empty string (found by fuzzing).
// Multipart bodies keep theirs in plugins/multipart-form.ts.
import type { FastifyInstance, FastifyRequest } from "fastify";
import { parse as parseForm } from "fast-querystring";
import { AppError } from "../../core/shared/errors.js";

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

/**
 * How deep a JSON body may nest. Every body a dialect defines is a few levels deep; free-form members
 * (the trading dialect's `extra`, the card dialect's fingerprints) are stored and hashed by code that
 * walks them (canonical JSON, the NUL check, jsonb), and a 10,000-deep one overflowed that code's
 * stack: 500 (found by a deep `extra`).
 */
export const MAX_JSON_DEPTH = 64;

/** Whether `value` has more than MAX_JSON_DEPTH containers one inside another (walked level by level, not recursively, for the same reason). */
function tooDeep(value: unknown): boolean {
  let level: unknown[] = [value];
  for (let depth = 0; level.length > 0; depth++) {
    if (depth >= MAX_JSON_DEPTH) return true;
    const next: unknown[] = [];
    for (const v of level) if (v !== null && typeof v === "object") for (const child of Object.values(v)) if (child !== null && typeof child === "object") next.push(child);
    level = next;
  }
  return false;
}

function parseJson(buf: Buffer): unknown {
  // Some clients send Content-Type: application/json with no body on POST actions.
  if (buf.length === 0) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(buf.toString("utf8"));
  } catch {
    throw Object.assign(new SyntaxError("invalid json"), { statusCode: 400 });
  }
  if (tooDeep(parsed)) throw new AppError("validation_failed", { message: `JSON nested deeper than ${MAX_JSON_DEPTH} levels` });
  return parsed;
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
