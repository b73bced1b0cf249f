// One rule for every string the API accepts: no U+0000. PostgreSQL text and jsonb cannot hold it, so a
// NUL that reached a query was a 500; it is refused here with 400 naming the field, whatever the route.
// Headers are checked on arrival (credential lookups read them before anything else runs); query,
// path and body once the body is parsed, after authentication and schema validation. Multipart
// fields are read by the handler, so the upload reader (./uploads.ts) applies the same rule.
import type { FastifyInstance } from "fastify";
import { AppError } from "../../core/shared/errors.js";

type InputPart = "headers" | "querystring" | "params" | "body" | "multipart";

/** The path (a.b.0.c) of the first string or key holding U+0000 in a parsed value, or null. */
function findNul(value: unknown): string | null {
  // Iterative: a deeply nested body must not overflow the stack of the checker itself.
  const stack: { v: unknown; path: string[] }[] = [{ v: value, path: [] }];
  while (stack.length > 0) {
    const { v, path } = stack.pop()!;
    if (typeof v === "string") {
      if (v.includes("\u0000")) return path.join(".");
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push({ v: item, path: [...path, String(i)] }));
    } else if (v !== null && typeof v === "object" && !Buffer.isBuffer(v)) {
      for (const [k, item] of Object.entries(v)) {
        if (k.includes("\u0000")) return [...path, k.replaceAll("\u0000", "\\u0000")].join(".");
        stack.push({ v: item, path: [...path, k] });
      }
    }
  }
  return null;
}

/** Throws validation_failed naming the field when `value` holds U+0000 anywhere. */
export function refuseNul(value: unknown, part: InputPart): void {
  const field = findNul(value);
  if (field === null) return;
  throw new AppError("validation_failed", {
    ...(field ? { field } : {}),
    message: `${field ? `Invalid value for ${field}` : "Invalid request"}: text must not contain the NUL character (U+0000)`,
    details: { in: part },
  });
}

export function installNulGuard(app: FastifyInstance): void {
  app.addHook("onRequest", async (request) => refuseNul(request.headers, "headers"));
  app.addHook("preHandler", async (request) => {
    refuseNul(request.params, "params");
    refuseNul(request.query, "querystring");
    refuseNul(request.body, "body");
  });
}
