// Every state-changing request of the operator API and the console runs as one audited action
// (src/db/audit/audit-scope.ts says how its entry lands in the transaction of the change). Installed
// as a preHandler of those two areas, so it runs after authentication, the role check and body
// validation: a refused or malformed request reaches no use case and is not an action.
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Deps } from "../../app/deps.js";
import { type AuditScope, runOperatorAction } from "../../app/audit/operator-action.js";
import { withoutLoneSurrogates } from "../../core/shared/lone-surrogates.js";
import { isBufferedMultipart } from "./multipart-form.js";

/**
 * Form and JSON fields never copied into the log (any field whose name contains one of these): credentials
 * and secrets, card and account numbers, and people's personal data (the log is never rewritten, so
 * erasure could not reach them there).
 */
const WITHHELD = /csrf|password|totp|secret|token|iban|number|email|phone|holder|owner|beneficiary/i;
const MAX_FIELDS = 30;
const MAX_TEXT = 200;
const MAX_DEPTH = 4;

/** The request's body fields, bounded, credentials and personal data withheld (path parameters are the subject). */
function requestInput(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  // Only a parsed form or JSON object: a multipart upload's file is the statement import's own record.
  if (!body || typeof body !== "object" || Array.isArray(body) || Buffer.isBuffer(body) || isBufferedMultipart(body)) return {};
  // A refund beneficiary's name sits beside their IBAN: both are the payer's.
  const personal = Object.keys(body).some((k) => /^iban$/i.test(k));
  const input = cleaned(body, 0) as Record<string, unknown>;
  if (personal && "name" in input) input.name = "[withheld]";
  return input;
}

/**
 * Strings cut at MAX_TEXT, at most MAX_FIELDS fields or items per level and MAX_DEPTH levels, withheld
 * fields replaced at any depth. A cut that splits a surrogate pair leaves half of it, which jsonb
 * refuses: it becomes U+FFFD, so the action is not failed by its entry (the request guard, text-guard.ts,
 * refuses a lone surrogate sent).
 */
function cleaned(v: unknown, depth: number): unknown {
  if (typeof v === "string") return withoutLoneSurrogates(v.length > MAX_TEXT ? `${v.slice(0, MAX_TEXT)}…` : v);
  if (v === null || typeof v !== "object") return v;
  if (depth >= MAX_DEPTH) return "[…]";
  if (Array.isArray(v)) return v.slice(0, MAX_FIELDS).map((x) => cleaned(x, depth + 1));
  const fields = Object.entries(v as Record<string, unknown>).slice(0, MAX_FIELDS);
  return Object.fromEntries(fields.map(([k, x]) => [k, WITHHELD.test(k) ? "[withheld]" : cleaned(x, depth + 1)]));
}

/** kyc.cases.approve from /admin/v1/kyc/cases/:id/approve; a method other than POST is appended (stores.settings.put). */
function actionName(method: string, url: string, prefix: string): string {
  const words = url
    .slice(prefix.length)
    .split("/")
    .filter((s) => s !== "" && !s.startsWith(":"));
  return [...words, ...(method === "POST" ? [] : [method.toLowerCase()])].join(".");
}

/**
 * Who acts: an operator key, a staff member (console), a merchant user (portal, with its merchant) or
 * a merchant API key (/merchant/v1: `merchant-key:<key id>`, named by its label).
 */
function actorOf(request: FastifyRequest): { actor: string; name: string; role: string; merchantId?: string } | null {
  const p = request.principal;
  if (p?.kind === "operator") return { actor: p.session === null ? `operator:${p.operatorId}` : `staff:${p.operatorId}`, name: p.name, role: p.role };
  if (p?.kind === "merchant_user") return { actor: `merchant-user:${p.userId}`, name: p.name, role: p.role, merchantId: p.merchantId };
  if (p?.kind === "merchant") return { actor: `merchant-key:${p.apiKeyId}`, name: p.label || `API key ${p.apiKeyId}`, role: "api_key", merchantId: p.merchantId };
  return null;
}

/**
 * Audits the state-changing requests of the scope `app` (POST, PUT, PATCH, DELETE) whose principal is
 * an operator, a merchant user or a merchant API key. `via` names the area and `prefix` is cut from the route to name the action.
 */
export function auditOperatorActions(app: FastifyInstance, deps: Deps, via: "api" | "console" | "portal" | "merchant_api", prefix: string): void {
  const scopes = new WeakMap<FastifyRequest, AuditScope>();
  app.addHook("preHandler", (request, _reply, done) => {
    const who = actorOf(request);
    if (request.method === "GET" || request.method === "HEAD" || who === null) return done();
    const url = request.routeOptions.url ?? request.url;
    const params = (request.params ?? {}) as Record<string, string>;
    const scope: AuditScope = {
      actor: who.actor,
      actorName: who.name,
      ip: request.ip,
      action: actionName(request.method, url, prefix),
      subject: Object.values(params).join("/"),
      details: { via, route: `${request.method} ${url}`, role: who.role, ...(who.merchantId ? { merchantId: who.merchantId } : {}), ...(Object.keys(params).length > 0 ? { params } : {}), input: requestInput(request) },
      now: () => deps.clock.now(),
      written: false,
      closed: false,
    };
    scopes.set(request, scope);
    // The handler, and every transaction its use case opens, runs inside the scope.
    runOperatorAction(scope, done);
  });
  app.addHook("onResponse", async (request) => {
    const scope = scopes.get(request);
    if (scope) scope.closed = true;
  });
}
