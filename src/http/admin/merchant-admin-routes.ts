// /admin/v1/merchants: create a merchant with its first API key, list merchants and their stores,
// issue and revoke API keys. A plain key appears only in the answer that creates it (no-store).
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { pageLimit } from "./page-limit.js";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { Deps } from "../../app/deps.js";
import {
  MAX_PAGE,
  MERCHANT_NAME_MAX,
  addMerchantKey,
  createMerchant,
  merchantDetail,
  merchantStoresPage,
  merchantsPage,
  revokeMerchantKey,
} from "../../app/merchants/merchants.js";
import { noStore } from "./no-store.js";
import { changeMerchantUser, inviteMerchantUser, merchantUsers } from "../../app/merchant-users/merchant-users.js";
import { MERCHANT_ROLES } from "../../core/merchant-users/roles.js";
import { principalOf } from "../plugins/principal.js";
import { KeyModeSchema, keyView } from "../merchant/key-routes.js";

const TAGS = ["admin: merchants"];
const security = [{ operatorKey: [] }];
// Any string up to a bound: a malformed id is an unknown merchant or key (404), decided by the use case.
const MerchantParams = Type.Object({ merchantId: Type.String({ maxLength: 64 }) });
const PageQuery = Type.Object(
  {
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: "nextCursor of the previous page" })),
    limit: pageLimit(MAX_PAGE),
  },
  { additionalProperties: false },
);
const NextCursor = Type.Union([Type.String(), Type.Null()]);

const Merchant = Type.Object({ merchantId: Type.String(), name: Type.String(), createdAt: Type.String() });
const ApiKey = Type.Object({
  apiKeyId: Type.String({ description: "the part after rmp_ (or rmp_test_) in the key" }),
  label: Type.String(),
  readOnly: Type.Boolean({ description: "A read-only key is refused (403 read_only_key) on every request that changes something" }),
  mode: KeyModeSchema,
  createdAt: Type.String(),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
});
const NewKey = Type.String({ description: "rmp_... (rmp_test_... for a test key): shown only in this answer" });

const merchantView = (m: { id: string; name: string; created_at: Date }) => ({ merchantId: m.id, name: m.name, createdAt: m.created_at.toISOString() });

export async function merchantAdminRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    "/merchants",
    {
      schema: {
        tags: TAGS,
        summary: "Create a merchant and its first API key (the key is returned once); a chosen id makes retries safe (409 when taken)",
        security,
        body: Type.Object(
          {
            id: Type.Optional(Type.String({ pattern: "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$", description: "uuid; generated when absent" })),
            name: Type.String({ minLength: 1, maxLength: MERCHANT_NAME_MAX }),
          },
          { additionalProperties: false, examples: [{ id: "5b0c6a52-3f7e-4c1e-9d7a-2f4c8e1b9a10", name: "Shop Group S.L." }] },
        ),
        response: { 201: Type.Object({ ...Merchant.properties, apiKeyId: Type.String(), apiKey: NewKey }) },
      },
    },
    async (request, reply) => {
      const m = await createMerchant(deps, { name: request.body.name, ...(request.body.id !== undefined ? { id: request.body.id } : {}) });
      return noStore(reply)
        .code(201)
        .send({ merchantId: m.merchantId, name: m.name, createdAt: m.createdAt.toISOString(), apiKeyId: m.apiKeyId, apiKey: m.apiKey });
    },
  );

  app.get(
    "/merchants",
    {
      schema: {
        tags: TAGS,
        summary: `Merchants, newest first (cursor pagination, limit ≤ ${MAX_PAGE})`,
        security,
        querystring: PageQuery,
        response: { 200: Type.Object({ items: Type.Array(Merchant), nextCursor: NextCursor }) },
      },
    },
    async (request) => {
      const page = await merchantsPage(deps, { ...(request.query.cursor !== undefined ? { cursor: request.query.cursor } : {}), limit: request.query.limit });
      return { items: page.items.map(merchantView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    "/merchants/:merchantId",
    {
      schema: {
        tags: TAGS,
        summary: "One merchant with its API keys (newest 100, active and revoked; never the key itself)",
        security,
        params: MerchantParams,
        response: { 200: Type.Object({ ...Merchant.properties, apiKeys: Type.Array(ApiKey) }) },
      },
    },
    async (request) => {
      const d = await merchantDetail(deps, request.params.merchantId);
      return {
        ...merchantView(d.merchant),
        apiKeys: d.apiKeys.map(keyView),
      };
    },
  );

  app.get(
    "/merchants/:merchantId/stores",
    {
      schema: {
        // Listed with the store routes too, next to creating one.
        tags: [...TAGS, "admin: stores"],
        summary: `A merchant's stores, newest first, and whether each has payment-intent settings (cursor pagination, limit ≤ ${MAX_PAGE})`,
        security,
        params: MerchantParams,
        querystring: PageQuery,
        response: {
          200: Type.Object({
            items: Type.Array(Type.Object({ storeId: Type.String(), name: Type.String(), createdAt: Type.String(), hasIntentSettings: Type.Boolean() })),
            nextCursor: NextCursor,
          }),
        },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await merchantStoresPage(deps, request.params.merchantId, { ...(q.cursor !== undefined ? { cursor: q.cursor } : {}), limit: q.limit });
      return {
        items: page.items.map((s) => ({ storeId: s.id, name: s.name, createdAt: s.created_at.toISOString(), hasIntentSettings: s.has_intent_settings })),
        nextCursor: page.nextCursor,
      };
    },
  );

  app.post(
    "/merchants/:merchantId/api-keys",
    {
      schema: {
        tags: TAGS,
        summary: "Issue another API key for the merchant, returned once (existing keys keep working)",
        security,
        params: MerchantParams,
        body: Type.Object(
          {
            label: Type.Optional(Type.String({ maxLength: 100, description: "a note to recognise the key by" })),
            readOnly: Type.Optional(Type.Boolean({ description: "true: the key may only read (default false)" })),
            mode: Type.Optional(KeyModeSchema),
          },
          { additionalProperties: false, examples: [{ label: "checkout servers" }, { label: "integration tests", mode: "test" }] },
        ),
        response: { 201: Type.Object({ merchantId: Type.String(), apiKeyId: Type.String(), readOnly: Type.Boolean(), mode: KeyModeSchema, apiKey: NewKey }) },
      },
      // The body is optional: a bare POST is an empty one.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
      const key = await addMerchantKey(deps, request.params.merchantId, request.body.label?.trim() ?? "", request.body.readOnly ?? false, request.body.mode ?? "live");
      return noStore(reply).code(201).send(key);
    },
  );

  app.delete(
    "/merchants/:merchantId/api-keys/:apiKeyId",
    {
      schema: {
        tags: TAGS,
        summary: "Revoke a merchant's API key: refused within 5 s on every process (at once on this one); again keeps the first revokedAt",
        security,
        params: Type.Object({ merchantId: Type.String({ maxLength: 64 }), apiKeyId: Type.String({ maxLength: 64 }) }),
        response: { 200: Type.Object({ merchantId: Type.String(), apiKeyId: Type.String(), revokedAt: Type.String() }) },
      },
    },
    async (request) => {
      const r = await revokeMerchantKey(deps, request.params.merchantId, request.params.apiKeyId);
      return { merchantId: r.merchantId, apiKeyId: r.apiKeyId, revokedAt: r.revokedAt.toISOString() };
    },
  );

  const MerchantUser = Type.Object({
    userId: Type.String(),
    email: Type.String(),
    role: Type.String({ description: "owner, developer, finance or support" }),
    state: Type.Union([Type.Literal("invited"), Type.Literal("enrolling"), Type.Literal("active"), Type.Literal("disabled")]),
    createdAt: Type.String(),
  });

  app.post(
    "/merchants/:merchantId/users",
    {
      schema: {
        tags: TAGS,
        summary: "Invite a person to the merchant portal (/merchant) with a role; the one-time invitation link (7 days) is returned once. Inviting an e-mail still invited (no password yet) issues a new link and the old one stops working; an account in use is 409",
        security,
        params: MerchantParams,
        body: Type.Object(
          { email: Type.String({ minLength: 1, maxLength: 254 }), role: Type.String({ enum: [...MERCHANT_ROLES], description: "owner, developer (keys, webhooks, settings), finance (balance, statements, withdrawals) or support (payments only)" }) },
          { additionalProperties: false, examples: [{ email: "owner@shop.example", role: "owner" }] },
        ),
        response: {
          201: Type.Object({
            merchantId: Type.String(),
            userId: Type.String(),
            email: Type.String(),
            role: Type.String(),
            inviteUrl: Type.String({ description: "shown only in this answer; following it sets the password, then the TOTP app" }),
            expiresAt: Type.String(),
          }),
        },
      },
    },
    async (request, reply) => {
      const p = principalOf(request, "operator");
      const actor = p.session === null ? `operator:${p.operatorId}` : `staff:${p.operatorId}`;
      const i = await inviteMerchantUser(deps, { merchantId: request.params.merchantId, email: request.body.email, role: request.body.role, invitedBy: actor });
      return noStore(reply)
        .code(201)
        .send({ merchantId: i.merchantId, userId: i.userId, email: i.email, role: i.role, inviteUrl: i.inviteUrl, expiresAt: i.expiresAt.toISOString() });
    },
  );

  app.get(
    "/merchants/:merchantId/users",
    {
      schema: {
        tags: TAGS,
        summary: "The merchant's portal users and where each stands (invited, enrolling, active, disabled)",
        security,
        params: MerchantParams,
        response: { 200: Type.Object({ items: Type.Array(MerchantUser) }) },
      },
    },
    async (request) => {
      const m = await merchantDetail(deps, request.params.merchantId);
      const users = await merchantUsers(deps, m.merchant.id);
      return { items: users.map((u) => ({ userId: u.userId, email: u.email, role: u.role, state: u.state, createdAt: u.createdAt.toISOString() })) };
    },
  );

  // The portal owner's changes (users-section.ts), by the operator: the same use case, so the same rules
  // (another merchant's user is 404; the last active owner stays, 409 last_owner; sessions end).
  const UserParams = Type.Object({ merchantId: Type.String({ maxLength: 64 }), userId: Type.String({ maxLength: 64 }) });
  const Changed = Type.Object({ merchantId: Type.String(), userId: Type.String(), email: Type.String(), role: Type.String(), disabled: Type.Boolean() });
  const changeUser = async (merchantId: string, userId: string, change: Parameters<typeof changeMerchantUser>[1]["change"]) => {
    const r = await changeMerchantUser(deps, { merchantId, actorUserId: null, userId, change });
    return { merchantId: merchantId.toLowerCase(), ...r };
  };
  const ENDS = "The person's portal sessions end at once. Another merchant's user is 404; a change that would leave the merchant without an active owner (enrolled, not disabled) is 409 last_owner.";
  app.post(
    "/merchants/:merchantId/users/:userId/role",
    {
      schema: {
        tags: TAGS,
        summary: "Change a portal user's role (as an owner does in the portal)",
        description: ENDS,
        security,
        params: UserParams,
        body: Type.Object({ role: Type.String({ enum: [...MERCHANT_ROLES] }) }, { additionalProperties: false, examples: [{ role: "finance" }] }),
        response: { 200: Changed },
      },
    },
    async (request) => changeUser(request.params.merchantId, request.params.userId, { kind: "role", role: request.body.role }),
  );
  for (const kind of ["disable", "enable"] as const) {
    app.post(
      `/merchants/:merchantId/users/:userId/${kind}`,
      {
        schema: {
          tags: TAGS,
          summary: kind === "disable" ? "Disable a portal user: they can no longer sign in (as an owner does in the portal)" : "Enable a disabled portal user again",
          description: ENDS,
          security,
          params: UserParams,
          response: { 200: Changed },
        },
      },
      async (request) => changeUser(request.params.merchantId, request.params.userId, { kind }),
    );
  }
}
