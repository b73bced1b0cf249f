// GET /merchant/v1/balance and /merchant/v1/statement: the merchant's balance per asset and the
// statement of one asset over a date range, opening + movements = closing (merchant-balance.ts).
// Amounts are integers in the asset's minor unit (as strings), with the asset's scale.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { Type } from "typebox";
import type { Deps } from "../../app/deps.js";
import { MAX_STATEMENT_PAGE, merchantBalances, merchantStatement } from "../../app/merchants/merchant-balance.js";
import { pageLimit } from "../admin/page-limit.js";
import { principalOf } from "../plugins/principal.js";

const TAGS = ["merchant: balance"];
const security = [{ apiKey: [] }];
const merchantOf = (request: FastifyRequest) => principalOf(request, "merchant").merchantId;
const Minor = (description: string) => Type.String({ pattern: "^-?\\d+$", description });
const Scale = Type.Union([Type.Integer(), Type.Null()], { description: "decimal places of the minor unit (null: unknown asset)" });

export async function merchantBalanceRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/balance",
    {
      schema: {
        tags: TAGS,
        summary: "The merchant's balance per asset: what it may spend now, and each of its ledger accounts",
        security,
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                asset: Type.String(),
                scale: Scale,
                availableMinor: Minor("posted − pending debits of the balance account: what may be withdrawn"),
                accounts: Type.Array(
                  Type.Object({
                    purpose: Type.String({ description: "merchant_balance, withdrawal_hold, …" }),
                    postedMinor: Minor("posted"),
                    pendingDebitsMinor: Minor("held for pending debits"),
                    pendingCreditsMinor: Minor("pending credits, not yet spendable"),
                  }),
                ),
              }),
            ),
          }),
        },
      },
    },
    async (request) => ({
      items: (await merchantBalances(deps, merchantOf(request))).map((b) => ({
        asset: b.asset,
        scale: b.scale,
        availableMinor: b.available.toString(),
        accounts: b.accounts.map((a) => ({
          purpose: a.purpose,
          postedMinor: a.posted.toString(),
          pendingDebitsMinor: a.pendingDebits.toString(),
          pendingCreditsMinor: a.pendingCredits.toString(),
        })),
      })),
    }),
  );

  app.get(
    "/statement",
    {
      schema: {
        tags: TAGS,
        summary: `Every movement of one asset's available balance in [from, to), oldest first, with opening and closing balance (cursor pagination, limit ≤ ${MAX_STATEMENT_PAGE})`,
        security,
        querystring: Type.Object(
          {
            asset: Type.String({ minLength: 1, maxLength: 16, description: "e.g. USDT" }),
            from: Type.Optional(Type.String({ maxLength: 40, description: "at or after: YYYY-MM-DD (UTC) or an ISO timestamp; the beginning when absent" })),
            to: Type.Optional(Type.String({ maxLength: 40, description: "before: YYYY-MM-DD (UTC) or an ISO timestamp; now when absent" })),
            cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "nextCursor of the previous page" })),
            limit: pageLimit(MAX_STATEMENT_PAGE),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            asset: Type.String(),
            scale: Scale,
            from: Type.Union([Type.String(), Type.Null()]),
            to: Type.String(),
            openingBalanceMinor: Minor("the available balance at from"),
            closingBalanceMinor: Minor("the available balance at to: opening + every movement of the range"),
            items: Type.Array(
              Type.Object({
                at: Type.String(),
                kind: Type.String({ description: "posted | hold | hold_released | hold_posted" }),
                code: Type.String({ description: "why: trading_payin_credit, trading_payin_adjust, withdrawal_hold, withdrawal_returned, …" }),
                ref: Type.Object({ type: Type.String(), id: Type.String() }),
                transferId: Type.String(),
                amountMinor: Minor("signed: + credit, − debit"),
                balanceAfterMinor: Minor("the available balance after this movement"),
              }),
            ),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
        },
      },
    },
    async (request) => {
      const s = await merchantStatement(deps, merchantOf(request), request.query);
      return {
        asset: s.asset,
        scale: s.scale,
        from: s.from?.toISOString() ?? null,
        to: s.to.toISOString(),
        openingBalanceMinor: s.openingBalance.toString(),
        closingBalanceMinor: s.closingBalance.toString(),
        items: s.items.map((l) => ({
          at: l.at,
          kind: l.kind,
          code: l.code,
          ref: { type: l.ref_type, id: l.ref_id },
          transferId: l.transfer_id,
          amountMinor: l.amount.toString(),
          balanceAfterMinor: l.balanceAfter.toString(),
        })),
        nextCursor: s.nextCursor,
      };
    },
  );
}
