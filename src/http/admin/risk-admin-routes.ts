// /admin/v1/risk: platform and per-merchant rules, per-merchant settings, the decisions log and the
// review queue (release or reject a held payment).
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { Type } from "typebox";
import type { Deps } from "../../app/deps.js";
import { merchantOr404 } from "../../app/merchants/merchants.js";
import { createRiskRule, deleteRiskRule, listRiskRules, putRiskSettings, readRiskSettings, type RuleScope, updateRiskRule } from "../../app/risk/manage-rules.js";
import { allocationHolds, releaseAllocationHold } from "../../app/risk/dispute-holds.js";
import { REVIEW_EFFECTS } from "../../app/risk/review-effects.js";
import { decideReview, riskDecisionsPage } from "../../app/risk/reviews.js";
import { principalOf } from "../plugins/principal.js";
import { DecisionView, RuleCreateBody, RulePatchBody, RuleView, SettingsBody, SettingsView, Uuid } from "../risk/risk-schemas.js";
import { pageLimit } from "./page-limit.js";

const TAGS = ["admin: risk"];
const security = [{ operatorKey: [] }];
const MAX_PAGE = 100;
const ScopeQuery = Type.Object({ merchantId: Type.Optional(Uuid) }, { additionalProperties: false });

async function scopeOf(deps: Deps, merchantId: string | undefined): Promise<RuleScope> {
  if (merchantId === undefined) return { merchantId: null };
  return { merchantId: (await merchantOr404(deps, merchantId)).id };
}

const operatorOf = (request: FastifyRequest) => `operator:${principalOf(request, "operator").operatorId}`;

export async function riskAdminRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/risk/rules",
    { schema: { tags: TAGS, summary: "Platform rules, or a merchant's own with ?merchantId=", security, querystring: ScopeQuery, response: { 200: Type.Object({ items: Type.Array(RuleView) }) } } },
    async (request) => ({ items: await listRiskRules(deps, await scopeOf(deps, request.query.merchantId)) }),
  );
  app.post(
    "/risk/rules",
    { schema: { tags: TAGS, summary: "Add a platform rule, or a merchant's with ?merchantId= (applies from the next payment)", security, querystring: ScopeQuery, body: RuleCreateBody, response: { 201: RuleView } } },
    async (request, reply) => reply.code(201).send(await createRiskRule(deps, await scopeOf(deps, request.query.merchantId), request.body)),
  );
  app.patch(
    "/risk/rules/:id",
    { schema: { tags: TAGS, summary: "Change a rule (?merchantId= for a merchant's)", security, params: Type.Object({ id: Uuid }), querystring: ScopeQuery, body: RulePatchBody, response: { 200: RuleView } } },
    async (request) => updateRiskRule(deps, await scopeOf(deps, request.query.merchantId), request.params.id, request.body),
  );
  app.delete(
    "/risk/rules/:id",
    { schema: { tags: TAGS, summary: "Delete a rule (?merchantId= for a merchant's)", security, params: Type.Object({ id: Uuid }), querystring: ScopeQuery } },
    async (request, reply) => {
      await deleteRiskRule(deps, await scopeOf(deps, request.query.merchantId), request.params.id);
      return reply.code(204).send();
    },
  );
  app.get(
    "/risk/settings/:merchantId",
    { schema: { tags: TAGS, summary: "A merchant's score thresholds and payer page access", security, params: Type.Object({ merchantId: Uuid }), response: { 200: SettingsView } } },
    async (request) => readRiskSettings(deps, (await merchantOr404(deps, request.params.merchantId)).id),
  );
  app.put(
    "/risk/settings/:merchantId",
    { schema: { tags: TAGS, summary: "Change a merchant's thresholds or payer page access", security, params: Type.Object({ merchantId: Uuid }), body: SettingsBody, response: { 200: SettingsView } } },
    async (request) => putRiskSettings(deps, (await merchantOr404(deps, request.params.merchantId)).id, request.body),
  );
  app.get(
    "/risk/decisions",
    {
      schema: {
        tags: TAGS,
        summary: "Risk decisions, newest first (refused attempts have no paymentId); ?pending=true is the review queue",
        security,
        querystring: Type.Object(
          {
            merchantId: Type.Optional(Uuid),
            decision: Type.Optional(Type.Union([Type.Literal("allow"), Type.Literal("review"), Type.Literal("block")])),
            pending: Type.Optional(Type.Boolean()),
            before: Type.Optional(Type.String({ format: "date-time", description: "Cursor: createdAt of the last item seen" })),
            limit: pageLimit(MAX_PAGE),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(DecisionView) }) },
      },
    },
    async (request) => {
      const q = request.query;
      return {
        items: await riskDecisionsPage(deps, {
          ...(q.merchantId ? { merchantId: q.merchantId } : {}),
          ...(q.decision ? { decision: q.decision } : {}),
          ...(q.pending ? { pendingOnly: true } : {}),
          ...(q.before ? { before: new Date(q.before) } : {}),
          limit: q.limit ?? 50,
        }),
      };
    },
  );
  for (const action of ["release", "reject"] as const) {
    app.post(
      `/risk/reviews/:paymentId/${action}`,
      {
        schema: {
          tags: TAGS,
          summary: action === "release" ? "Release a held payment: it may be paid and its crypto leave" : "Reject a held payment: it is cancelled",
          security,
          params: Type.Object({ paymentId: Type.String({ minLength: 1, maxLength: 64 }) }),
          response: { 200: DecisionView },
        },
      },
      async (request) => decideReview(deps, REVIEW_EFFECTS, request.params.paymentId, action, operatorOf(request)),
    );
  }

  // Requisites and traders that trading's dispute rate took out of allocation (docs/risk.md).
  const Held = { heldAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]) };
  app.get(
    "/risk/allocation-holds",
    {
      schema: {
        tags: TAGS,
        summary: "Requisites and traders held out of allocation for their dispute rate (oldest first, at most 100 of each)",
        security,
        response: {
          200: Type.Object({
            requisites: Type.Array(Type.Object({ id: Type.String(), traderId: Type.String(), bank: Type.String(), method: Type.String(), payins: Type.Integer(), disputes: Type.Integer(), ...Held })),
            traders: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), ...Held })),
          }),
        },
      },
    },
    async () => allocationHolds(deps),
  );
  for (const subject of ["requisite", "trader"] as const) {
    app.post(
      `/risk/allocation-holds/${subject}s/:id/release`,
      {
        schema: {
          tags: TAGS,
          summary: `Put a held ${subject} back into allocation; its dispute count starts afresh (409 when not held)`,
          security,
          params: Type.Object({ id: subject === "requisite" ? Uuid : Type.String({ minLength: 1, maxLength: 64 }) }),
          response: { 200: Type.Object({ id: Type.String(), status: Type.Literal("allocating") }) },
        },
      },
      async (request) => releaseAllocationHold(deps, subject, request.params.id, operatorOf(request)),
    );
  }
}
