// One rule for every string the API accepts: no U+0000 and no unpaired surrogate (JSON's "\ud800"
// escape, which no UTF-8 text can hold). PostgreSQL text and jsonb cannot hold either, so one that
// reached a query was a 500; it is refused here with 400 naming the field, whatever the route.
// Headers are checked on arrival (credential lookups read them before anything else runs); query,
// path and body once the body is parsed, after authentication and schema validation. Multipart
// fields are read by the handler, so the upload reader (./uploads.ts) applies the same rule.
import type { FastifyInstance } from "fastify";
import { AppError } from "../../core/shared/errors.js";
import { hasLoneSurrogate } from "../../core/shared/lone-surrogates.js";

type InputPart = "headers" | "querystring" | "params" | "body" | "multipart";

/** A visited value and the way to it; the path is a chain, built into a string only for the field found. */
interface Visit {
  v: unknown;
  key: string | null;
  parent: Visit | null;
}

/** Deeper paths are cut: the answer names where the field starts without echoing a megabyte of keys. */
const MAX_PATH_KEYS = 32;

function pathOf(visit: Visit, lastKey?: string): string {
  const keys: string[] = lastKey === undefined ? [] : [lastKey];
  for (let at: Visit | null = visit; at !== null && at.key !== null; at = at.parent) keys.push(at.key);
  keys.reverse();
  return keys.length > MAX_PATH_KEYS ? `${keys.slice(0, MAX_PATH_KEYS).join(".")}…` : keys.join(".");
}

/** Text PostgreSQL cannot store. */
const unstorable = (s: string): boolean => s.includes("\u0000") || hasLoneSurrogate(s);

/** The path (a.b.0.c) of the first string or key holding text PostgreSQL cannot store in a parsed value, or null. */
function findUnstorable(value: unknown): string | null {
  // Iterative, and without copying the path at every level: a 100,000-deep body must neither overflow
  // the checker's stack nor cost depth² steps (a copied path made one such request hang for minutes).
  // Strings are checked where they are met, so a flat object (the headers of every request, a GET's
  // params) allocates nothing: only objects and arrays are pushed (issue 16).
  if (typeof value === "string") return unstorable(value) ? "" : null;
  const stack: Visit[] = [{ v: value, key: null, parent: null }];
  while (stack.length > 0) {
    const visit = stack.pop()!;
    const { v } = visit;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const item: unknown = v[i];
        if (typeof item === "string") {
          if (unstorable(item)) return pathOf(visit, String(i));
        } else if (item !== null && typeof item === "object") stack.push({ v: item, key: String(i), parent: visit });
      }
    } else if (v !== null && typeof v === "object" && !Buffer.isBuffer(v)) {
      for (const k of Object.keys(v)) {
        if (unstorable(k)) return pathOf(visit, JSON.stringify(k).slice(1, -1));
        const item: unknown = (v as Record<string, unknown>)[k];
        if (typeof item === "string") {
          if (unstorable(item)) return pathOf(visit, k);
        } else if (item !== null && typeof item === "object") stack.push({ v: item, key: k, parent: visit });
      }
    }
  }
  return null;
}

/** Throws validation_failed naming the field when `value` holds U+0000 or a lone surrogate anywhere. */
export function refuseUnstorableText(value: unknown, part: InputPart): void {
  const field = findUnstorable(value);
  if (field === null) return;
  throw new AppError("validation_failed", {
    ...(field ? { field } : {}),
    message: `${field ? `Invalid value for ${field}` : "Invalid request"}: text must not contain the NUL character (U+0000) or an unpaired surrogate (U+D800 to U+DFFF)`,
    details: { in: part },
  });
}

export function installTextGuard(app: FastifyInstance): void {
  app.addHook("onRequest", async (request) => refuseUnstorableText(request.headers, "headers"));
  app.addHook("preHandler", async (request) => {
    refuseUnstorableText(request.params, "params");
    refuseUnstorableText(request.query, "querystring");
    refuseUnstorableText(request.body, "body");
  });
}
