// /admin/v1/audit: the audit log of operator actions (filters, cursor pages, CSV) and its hash chain's
// verification. Reading it needs the audit.read permission (admin only: core/staff/roles.ts).
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { MAX_AUDIT_PAGE, auditEntriesPage } from "../../app/audit/audit-entries.js";
import { verifyAuditChain } from "../../app/audit/verify-audit-chain.js";
import type { Deps } from "../../app/deps.js";
import { sendAuditCsv } from "./audit-csv.js";
import { pageLimit } from "./page-limit.js";

const TAGS = ["admin: audit"];
const security = [{ operatorKey: [] }];
const config = { permission: "audit.read" as const };
const Nullable = Type.Union([Type.String(), Type.Null()]);

const FILTERS = {
  actor: Type.Optional(Type.String({ maxLength: 200, description: "An actor (staff:<account id>, operator:<key id>) or part of the person's e-mail or the key's name" })),
  action: Type.Optional(Type.String({ maxLength: 100, description: "An action (kyc.cases.approve) or its start (kyc)" })),
  from: Type.Optional(Type.String({ maxLength: 40, description: "At or after: YYYY-MM-DD (UTC) or an ISO timestamp" })),
  to: Type.Optional(Type.String({ maxLength: 40, description: "Before: YYYY-MM-DD (UTC) or an ISO timestamp" })),
};

const Entry = Type.Object({
  id: Type.String(),
  seq: Type.Union([Type.String(), Type.Null()], { description: "Position in the hash chain (null: written before the chain began)" }),
  at: Type.String(),
  actor: Type.String(),
  actorName: Nullable,
  ip: Nullable,
  action: Type.String(),
  subject: Type.String(),
  details: Type.Record(Type.String(), Type.Unknown(), { description: "via, route, role, params, input (credentials and personal data withheld), changes (status before/after)" }),
  hash: Nullable,
});

const Report = Type.Object({
  ok: Type.Boolean(),
  entries: Type.Integer(),
  unchained: Type.Integer({ description: "Entries written before the chain began, not covered by it" }),
  head: Type.Object({ seq: Type.String(), hash: Type.String() }),
  broken: Type.Union([
    Type.Object({
      seq: Type.String(),
      id: Nullable,
      problem: Type.Union([Type.Literal("content_changed"), Type.Literal("link_broken"), Type.Literal("entry_missing"), Type.Literal("head_mismatch")]),
    }),
    Type.Null(),
  ]),
});

export async function auditAdminRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/audit",
    {
      config,
      schema: {
        tags: TAGS,
        summary: `The audit log of operator actions, newest first: filters, cursor pagination (limit ≤ ${MAX_AUDIT_PAGE})`,
        security,
        querystring: Type.Object({ ...FILTERS, cursor: Type.Optional(Type.String({ maxLength: 20 })), limit: pageLimit(MAX_AUDIT_PAGE) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(Entry), nextCursor: Nullable }) },
      },
    },
    async (request) => {
      const page = await auditEntriesPage(deps, request.query);
      return { items: page.items.map((e) => ({ ...e, at: e.at.toISOString() })), nextCursor: page.nextCursor };
    },
  );

  app.get(
    "/audit.csv",
    {
      config,
      schema: { tags: TAGS, summary: "The filtered audit log as CSV (streamed, every page)", security, querystring: Type.Object(FILTERS, { additionalProperties: false }), produces: ["text/csv"] },
    },
    async (request, reply) => sendAuditCsv(reply, deps, request.query),
  );

  app.get(
    "/audit/verify",
    {
      config,
      schema: {
        tags: TAGS,
        summary: "Check the audit log's hash chain (as `rampart audit verify`): ok, or the first broken entry",
        security,
        response: { 200: Report },
      },
    },
    async () => verifyAuditChain(deps),
  );
}
