// /merchant/v1/risk: a merchant manages its own risk rules and settings with its API key (x-api-key).
// Platform rules are the operator's (/admin/v1/risk) and are not shown here.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { Type } from "typebox";
import { startApiKeyCache } from "../../app/auth/api-key-cache.js";
import type { Deps } from "../../app/deps.js";
import { createRiskRule, deleteRiskRule, listRiskRules, putRiskSettings, readRiskSettings, updateRiskRule } from "../../app/risk/manage-rules.js";
import { installErrorHandling, renderDefaultError } from "../errors/error-handling.js";
import { auditOperatorActions } from "../plugins/audit-scope.js";
import { authenticateMerchantKey } from "../plugins/merchant-key.js";
import { principalOf } from "../plugins/principal.js";
import { RuleCreateBody, RulePatchBody, RuleView, SettingsBody, SettingsView, Uuid } from "./risk-schemas.js";

const TAGS = ["merchant: risk"];
const security = [{ apiKey: [] }];
const merchantOf = (request: FastifyRequest) => principalOf(request, "merchant").merchantId;

export async function merchantRiskRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  await scope.register(
    async (inner) => {
      const app = inner.withTypeProvider<TypeBoxTypeProvider>();
      installErrorHandling(app, renderDefaultError);
      startApiKeyCache(deps);
      app.addHook("onRequest", async (request) => {
        request.principal = { kind: "merchant", ...(await authenticateMerchantKey(deps, request)) };
      });
      // A rule or settings change is audited like every /merchant/v1 change (actor merchant-key:<key id>).
      auditOperatorActions(app, deps, "merchant_api", "/merchant/v1/");

      app.get("/rules", { schema: { tags: TAGS, summary: "The merchant's own risk rules", security, response: { 200: Type.Object({ items: Type.Array(RuleView) }) } } }, async (request) => ({
        items: await listRiskRules(deps, { merchantId: merchantOf(request) }),
      }));
      app.post("/rules", { schema: { tags: TAGS, summary: "Add a risk rule (applies from the next payment)", security, body: RuleCreateBody, response: { 201: RuleView } } }, async (request, reply) =>
        reply.code(201).send(await createRiskRule(deps, { merchantId: merchantOf(request) }, request.body)),
      );
      app.patch(
        "/rules/:id",
        { schema: { tags: TAGS, summary: "Change a risk rule (applies from the next payment)", security, params: Type.Object({ id: Uuid }), body: RulePatchBody, response: { 200: RuleView } } },
        async (request) => updateRiskRule(deps, { merchantId: merchantOf(request) }, request.params.id, request.body),
      );
      app.delete("/rules/:id", { schema: { tags: TAGS, summary: "Delete a risk rule", security, params: Type.Object({ id: Uuid }) } }, async (request, reply) => {
        await deleteRiskRule(deps, { merchantId: merchantOf(request) }, request.params.id);
        return reply.code(204).send();
      });
      app.get("/settings", { schema: { tags: TAGS, summary: "Score thresholds and payer page access", security, response: { 200: SettingsView } } }, async (request) =>
        readRiskSettings(deps, merchantOf(request)),
      );
      app.put("/settings", { schema: { tags: TAGS, summary: "Change score thresholds or payer page access", security, body: SettingsBody, response: { 200: SettingsView } } }, async (request) =>
        putRiskSettings(deps, merchantOf(request), request.body),
      );
    },
    { prefix: "/merchant/v1/risk" },
  );
}
