// /merchant/v1/keys: the merchant lists, creates and revokes its own API keys. A key is shown once, in
// the answer that creates it (no-store); a read-only key may only read. Same use cases as the
// operator's /admin/v1/merchants/{id}/api-keys.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { Type } from "typebox";
import type { Deps } from "../../app/deps.js";
import { KEY_LABEL_MAX, addMerchantKey, merchantDetail, revokeMerchantKey } from "../../app/merchants/merchants.js";
import { noStore } from "../admin/no-store.js";
import { principalOf } from "../plugins/principal.js";

const TAGS = ["merchant: keys"];
const security = [{ apiKey: [] }];
const merchantOf = (request: FastifyRequest) => principalOf(request, "merchant").merchantId;

/** A key's mode: a test key (`rmp_test_…`) acts for the merchant's test twin (the OpenAPI description says what that means). */
export const KeyModeSchema = Type.Union([Type.Literal("live"), Type.Literal("test")], { description: "live (rmp_…) or test (rmp_test_…): a test key's payments run on the sandbox adapters, apart from live ones" });
const modeOf = (k: { test: boolean }) => (k.test ? ("test" as const) : ("live" as const));

/** A listed key (merchant and operator APIs): never the key itself. */
export function keyView(k: { id: string; label: string; read_only: boolean; test: boolean; created_at: Date; revoked_at: Date | null }) {
  return { apiKeyId: k.id, label: k.label, readOnly: k.read_only, mode: modeOf(k), createdAt: k.created_at.toISOString(), revokedAt: k.revoked_at?.toISOString() ?? null };
}

const KeyView = Type.Object({
  apiKeyId: Type.String({ description: "the part after rmp_ (or rmp_test_) in the key" }),
  label: Type.String(),
  readOnly: Type.Boolean(),
  mode: KeyModeSchema,
  createdAt: Type.String(),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
});

export async function merchantKeyRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/keys",
    {
      schema: {
        tags: TAGS,
        summary: "The merchant's API keys, live and test, newest 100, active and revoked (never the key itself); a test key is refused here (403 live_mode_only)",
        security,
        response: { 200: Type.Object({ items: Type.Array(KeyView) }) },
      },
    },
    async (request) => {
      const d = await merchantDetail(deps, merchantOf(request));
      return { items: d.apiKeys.map(keyView) };
    },
  );

  app.post(
    "/keys",
    {
      schema: {
        tags: TAGS,
        summary: "Create an API key, shown only in this answer; a read-only key is refused (403 read_only_key) on every request that changes something",
        security,
        body: Type.Object(
          {
            label: Type.String({ minLength: 1, maxLength: KEY_LABEL_MAX, pattern: "\\S", description: "a note to recognise the key by (not only spaces)" }),
            readOnly: Type.Optional(Type.Boolean({ description: "true: the key may only read (default false)" })),
            mode: Type.Optional(KeyModeSchema),
          },
          { additionalProperties: false, examples: [{ label: "reporting", readOnly: true }, { label: "integration tests", mode: "test" }] },
        ),
        response: {
          201: Type.Object({ apiKeyId: Type.String(), label: Type.String(), readOnly: Type.Boolean(), mode: KeyModeSchema, apiKey: Type.String({ description: "rmp_... (rmp_test_... for a test key): shown only in this answer" }) }),
        },
      },
    },
    async (request, reply) => {
      const key = await addMerchantKey(deps, merchantOf(request), request.body.label.trim(), request.body.readOnly ?? false, request.body.mode ?? "live");
      return noStore(reply).code(201).send(key);
    },
  );

  app.delete(
    "/keys/:apiKeyId",
    {
      schema: {
        tags: TAGS,
        summary: "Revoke one of the merchant's keys, live or test (this one too, if asked): refused within 5 s on every process; again keeps the first revokedAt",
        security,
        params: Type.Object({ apiKeyId: Type.String({ maxLength: 64 }) }),
        response: { 200: Type.Object({ apiKeyId: Type.String(), revokedAt: Type.String() }) },
      },
    },
    async (request) => {
      const r = await revokeMerchantKey(deps, merchantOf(request), request.params.apiKeyId);
      return { apiKeyId: r.apiKeyId, revokedAt: r.revokedAt.toISOString() };
    },
  );
}
