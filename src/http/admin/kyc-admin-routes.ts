// /admin/v1/kyc: the manual review queue (list, one case with its audit trail, approve, reject with a
// reason). Mounted inside the operator-authenticated admin scope.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { isoOrNull } from "./iso-or-null.js";
import { pageLimit } from "./page-limit.js";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { Type } from "typebox";
import type { Deps } from "../../app/deps.js";
import { principalOf } from "../plugins/principal.js";
import { MAX_REVIEW_PAGE, kycCaseDetail, reviewCase, reviewQueue } from "../../app/kyc/kyc-review.js";

const TAGS = ["admin: kyc"];
const security = [{ operatorKey: [] }];
const Iso = Type.Union([Type.String(), Type.Null()]);
const Nullable = Type.Union([Type.String(), Type.Null()]);
const CaseId = Type.Object({ id: Type.String({ pattern: "^kyc_[0-9A-Za-z]{10,40}$" }) });

const KycCase = Type.Object({
  id: Type.String(),
  userId: Type.String(),
  email: Type.String(),
  storeId: Type.String(),
  level: Type.String(),
  status: Type.String(),
  firstName: Nullable,
  lastName: Nullable,
  birthDate: Nullable,
  documentType: Nullable,
  documentNumber: Nullable,
  country: Nullable,
  nationality: Nullable,
  phoneCountryCode: Type.Union([Type.String(), Type.Null()], { description: "from a payment intent's create, e.g. +34" }),
  phoneNumber: Nullable,
  files: Type.Array(Type.String()),
  reason: Nullable,
  decidedAt: Iso,
  expiresAt: Iso,
  createdAt: Type.String(),
});
const KycEvent = Type.Object({ from: Nullable, to: Type.String(), actor: Type.String(), actorId: Nullable, reason: Nullable, at: Type.String() });

type CaseRow = Awaited<ReturnType<typeof kycCaseDetail>>["case"];
function caseView(c: CaseRow) {
  return {
    id: c.id,
    userId: c.user_id,
    email: c.email,
    storeId: c.store_id,
    level: c.level,
    status: c.status,
    firstName: c.first_name,
    lastName: c.last_name,
    birthDate: c.birth_date,
    documentType: c.document_type,
    documentNumber: c.document_number,
    country: c.country,
    nationality: c.nationality,
    phoneCountryCode: c.phone_country_code,
    phoneNumber: c.phone_number,
    files: c.files,
    reason: c.reason,
    decidedAt: isoOrNull(c.decided_at),
    expiresAt: isoOrNull(c.expires_at),
    createdAt: c.created_at.toISOString(),
  };
}

export async function kycAdminRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  // The admin scope's hook (admin-routes.ts) authenticated the operator key.
  const operatorId = (request: FastifyRequest) => principalOf(request, "operator").operatorId;

  app.get(
    "/kyc/reviews",
    {
      schema: {
        tags: TAGS,
        summary: "KYC cases waiting for manual review, oldest first",
        security,
        querystring: Type.Object({ limit: pageLimit(MAX_REVIEW_PAGE), after: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(KycCase), nextCursor: Nullable }) },
      },
    },
    async (request) => {
      const { limit } = request.query;
      const page = await reviewQueue(deps, { ...(limit ? { limit } : {}), ...(request.query.after ? { after: request.query.after } : {}) });
      return { items: page.items.map(caseView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    "/kyc/cases/:id",
    { schema: { tags: TAGS, summary: "A KYC case with its audit trail", security, params: CaseId, response: { 200: Type.Object({ case: KycCase, events: Type.Array(KycEvent) }) } } },
    async (request) => {
      const d = await kycCaseDetail(deps, request.params.id);
      return {
        case: caseView(d.case),
        events: d.events.map((e) => ({ from: e.from_status, to: e.to_status, actor: e.actor, actorId: e.actor_id, reason: e.reason, at: e.at.toISOString() })),
      };
    },
  );

  app.post(
    "/kyc/cases/:id/approve",
    { schema: { tags: TAGS, summary: "Approve a case in manual review (waiting intents → 4)", security, params: CaseId, response: { 200: Type.Object({ id: Type.String(), status: Type.String() }) } } },
    async (request) => {
      const c = await reviewCase(deps, request.params.id, "approve", operatorId(request));
      return { id: c.id, status: c.status };
    },
  );

  app.post(
    "/kyc/cases/:id/reject",
    {
      schema: {
        tags: TAGS,
        summary: "Reject a case in manual review with a reason (waiting intents → 10001)",
        security,
        params: CaseId,
        body: Type.Object({ reason: Type.String({ minLength: 3, maxLength: 500 }) }, { additionalProperties: false, examples: [{ reason: "The document photo is unreadable" }] }),
        response: { 200: Type.Object({ id: Type.String(), status: Type.String() }) },
      },
    },
    async (request) => {
      const c = await reviewCase(deps, request.params.id, "reject", operatorId(request), request.body.reason);
      return { id: c.id, status: c.status };
    },
  );
}
