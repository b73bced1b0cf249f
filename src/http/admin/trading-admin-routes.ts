// Operator API for the trading dialect (/admin/v1/trading, header x-operator-key): traders and
// requisites, merchants' trading settings, dispute resolution, unmatched bank transfers. Mounted inside the
// operator-authenticated admin scope (admin-routes.ts).
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { Deps } from "../../app/deps.js";
import { resolveDispute } from "../../app/trading/disputes.js";
import { payinEvents, payinObject } from "../../app/trading/queries.js";
import { createRequisite, createTrader, setRequisiteLimits } from "../../app/trading/traders.js";
import { traderDepositAddress } from "../../app/trading/deposit-address.js";
import { topUpTraderDeposit } from "../../app/trading/deposit-top-up.js";
import { DepositAddressObject } from "../trader/deposit-schemas.js";
import { readTradingSettings, saveTradingSettings, tradingSettingsChange } from "../../app/trading/settings-admin.js";
import { TradingSettingsView, tradingSettingsJson } from "../merchant/settings-schemas.js";
import { AppError } from "../../core/shared/errors.js";
import { HttpUrl } from "../plugins/validation.js";
import { formatFiatAmount, requireFiatAmount } from "../../core/trading/fiat-amount.js";
import { unmatchedTransfers } from "../../app/bank-transfers/transfer-queues.js";
import { principalOf } from "../plugins/principal.js";
import { PayinObject } from "../dialects/trading/schemas.js";
import { UUID_PATTERN } from "../../core/shared/uuid.js";

const TAGS = ["admin: trading"];
const Amount = Type.Union([Type.Number(), Type.String({ maxLength: 32 })]);
const TraderId = Type.String({ maxLength: 64 });
/** A client's reference: printable ASCII, like an Idempotency-Key. */
const REFERENCE_PATTERN = "^[\\x21-\\x7e]{1,100}$";


export async function tradingAdminRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const security = [{ operatorKey: [] }];

  app.post(
    "/pay-ins/:id/resolve",
    {
      schema: {
        tags: TAGS,
        summary: "Resolve a dispute: paid as claimed, paid a different amount, or not paid",
        security,
        params: Type.Object({ id: Type.String({ pattern: UUID_PATTERN }) }),
        body: Type.Object(
          {
            outcome: Type.Union([Type.Literal("paid"), Type.Literal("paid_different"), Type.Literal("not_paid")]),
            actualFiatAmount: Type.Optional(Amount),
            reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: "Shown to the payer on the payer page with the decision" })),
          },
          { additionalProperties: false, examples: [{ outcome: "paid_different", actualFiatAmount: "4800.00", reason: "The bank statement shows 4 800.00 RUB." }] },
        ),
        response: { 200: PayinObject },
      },
    },
    async (request) => {
      const b = request.body;
      const resolution =
        b.outcome === "paid_different"
          ? { outcome: b.outcome, actualFiatMinor: requireFiatAmount(b.actualFiatAmount, "actualFiatAmount") }
          : { outcome: b.outcome };
      const operatorId = principalOf(request, "operator").operatorId;
      return payinObject(deps, await resolveDispute(deps, operatorId, request.params.id, resolution, b.reason ?? null));
    },
  );

  app.get(
    "/pay-ins/:id/events",
    { schema: { tags: TAGS, summary: "A pay-in's event history (actor, from, to, at, data)", security, params: Type.Object({ id: Type.String({ pattern: UUID_PATTERN }) }) } },
    async (request) => ({
      items: (await payinEvents(deps, request.params.id)).map((e) => ({
        actor: e.actor,
        actorId: e.actor_id,
        from: e.from_status,
        to: e.to_status,
        at: e.at.toISOString(),
        data: e.data,
      })),
    }),
  );

  app.get(
    "/bank-transfers/unmatched",
    {
      schema: {
        tags: TAGS,
        summary: "Incoming bank transfers that matched no pay-in or intent, newest first",
        security,
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })) }),
      },
    },
    async (request) => ({
      items: (await unmatchedTransfers(deps, request.query.limit)).map((t) => ({
        id: t.id,
        externalId: t.external_id,
        feed: t.feed,
        requisiteId: t.requisite_id,
        reference: t.reference,
        amountMinor: t.amount_minor,
        fiatCurrency: t.currency,
        payerName: t.payer_name,
        payerIban: t.payer_iban,
        reason: t.reason,
        receivedAt: t.received_at.toISOString(),
      })),
    }),
  );

  app.post(
    "/traders",
    {
      schema: {
        tags: TAGS,
        summary: "Create a trader; the trader key is returned once",
        description: "`test: true` makes a test trader: its requisites serve only merchants' test-mode (rmp_test_ key) trading pay-ins, and a live trader's only live ones. Fixed at creation.",
        security,
        body: Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 200 }), test: Type.Optional(Type.Boolean()) },
          { additionalProperties: false, examples: [{ name: "Ivan Petrov" }, { name: "Test trader", test: true }] },
        ),
      },
    },
    async (request, reply) => reply.code(201).send(await createTrader(deps, request.body.name, undefined, undefined, request.body.test ?? false)),
  );

  app.post(
    "/traders/:traderId/requisites",
    {
      schema: {
        tags: TAGS,
        summary: "Add a requisite to a trader",
        security,
        params: Type.Object({ traderId: TraderId }),
        body: Type.Object(
          {
            bank: Type.String({ maxLength: 64 }),
            method: Type.String({ maxLength: 32 }),
            ownerName: Type.String({ minLength: 1, maxLength: 200 }),
            number: Type.Optional(Type.String({ maxLength: 64 })),
            sbpPhone: Type.Optional(Type.String({ maxLength: 32 })),
            maxOpenPayins: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
            dailyVolumeLimit: Type.Optional(Amount),
            monthlyVolumeLimit: Type.Optional(Amount),
          },
          {
            additionalProperties: false,
            examples: [{ bank: "SBER", method: "card", ownerName: "Ivan P.", number: "2202200000000042", maxOpenPayins: 10, dailyVolumeLimit: "500000.00" }],
          },
        ),
      },
    },
    async (request, reply) => {
      const b = request.body;
      const id = await createRequisite(deps, {
        traderId: request.params.traderId,
        bank: b.bank,
        method: b.method,
        ownerName: b.ownerName,
        number: b.number ?? null,
        sbpPhone: b.sbpPhone ?? null,
        ...(b.maxOpenPayins !== undefined ? { maxOpenPayins: b.maxOpenPayins } : {}),
        dailyVolumeLimitMinor: b.dailyVolumeLimit !== undefined ? requireFiatAmount(b.dailyVolumeLimit, "dailyVolumeLimit") : null,
        monthlyVolumeLimitMinor: b.monthlyVolumeLimit !== undefined ? requireFiatAmount(b.monthlyVolumeLimit, "monthlyVolumeLimit") : null,
      });
      return reply.code(201).send({ id });
    },
  );

  app.get(
    "/traders/:traderId/deposit/address",
    {
      schema: {
        tags: TAGS,
        summary: "A trader's own deposit address on the EVM chain (allocated on the first read, from RAMPART_EVM_DEPOSIT_XPUB)",
        security,
        params: Type.Object({ traderId: TraderId }),
        response: { 200: DepositAddressObject },
      },
    },
    async (request) => traderDepositAddress(deps, request.params.traderId),
  );

  app.post(
    "/traders/:traderId/deposit/top-ups",
    {
      schema: {
        tags: TAGS,
        summary: "Top up a trader's USDT deposit (a ledger transfer from platform funding): any trader in sandbox mode, a test trader (from test funding) in live mode; a live trader in live mode is 409 deposit_via_chain",
        description:
          "Idempotent by `reference` (or, without one, the `Idempotency-Key` header): the same reference and amount again books nothing and answers 200 with `duplicate: true`; the same reference with another amount is 409 `conflict`.",
        security,
        params: Type.Object({ traderId: TraderId }),
        headers: Type.Object({ "idempotency-key": Type.Optional(Type.String({ pattern: REFERENCE_PATTERN })) }),
        body: Type.Object(
          {
            amount: Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.String({ maxLength: 32 })], { description: "USDT, at most 6 decimals" }),
            reference: Type.Optional(Type.String({ pattern: REFERENCE_PATTERN, description: "The client's id of this top-up" })),
          },
          { additionalProperties: false, examples: [{ amount: "1000", reference: "top-up-2026-12-04-1" }] },
        ),
      },
    },
    async (request, reply) => {
      const reference = request.body.reference ?? request.headers["idempotency-key"];
      if (reference === undefined) {
        throw new AppError("validation_failed", { field: "reference", message: "Send a reference or an Idempotency-Key, so a retry cannot fund twice" });
      }
      const result = await topUpTraderDeposit(deps, { traderId: request.params.traderId, amount: request.body.amount, reference });
      return reply.code(result.duplicate ? 200 : 201).send(result);
    },
  );

  app.put(
    "/traders/:traderId/requisites/:requisiteId/limits",
    {
      schema: {
        tags: TAGS,
        summary: "Set a requisite's limits: active pay-ins at once, fiat volume per UTC day and month (null: none)",
        security,
        params: Type.Object({ traderId: TraderId, requisiteId: Type.String({ maxLength: 64 }) }),
        body: Type.Object(
          {
            maxOpenPayins: Type.Integer({ minimum: 0, maximum: 10_000 }),
            dailyVolumeLimit: Type.Union([Amount, Type.Null()]),
            monthlyVolumeLimit: Type.Union([Amount, Type.Null()]),
          },
          { additionalProperties: false, examples: [{ maxOpenPayins: 10, dailyVolumeLimit: "500000.00", monthlyVolumeLimit: null }] },
        ),
      },
    },
    async (request) => {
      const b = request.body;
      const daily = b.dailyVolumeLimit === null ? null : requireFiatAmount(b.dailyVolumeLimit, "dailyVolumeLimit");
      const monthly = b.monthlyVolumeLimit === null ? null : requireFiatAmount(b.monthlyVolumeLimit, "monthlyVolumeLimit");
      await setRequisiteLimits(deps, request.params.traderId, request.params.requisiteId, {
        maxOpenPayins: b.maxOpenPayins,
        dailyVolumeLimitMinor: daily,
        monthlyVolumeLimitMinor: monthly,
      });
      const shown = (minor: bigint | null) => (minor === null ? null : formatFiatAmount(minor));
      return { id: request.params.requisiteId, maxOpenPayins: b.maxOpenPayins, dailyVolumeLimit: shown(daily), monthlyVolumeLimit: shown(monthly) };
    },
  );

  app.get(
    "/merchants/:merchantId/settings",
    {
      schema: {
        tags: TAGS,
        summary: "A merchant's trading settings (403 trading_not_enabled when it has none)",
        security,
        params: Type.Object({ merchantId: Type.String({ pattern: UUID_PATTERN }) }),
        response: { 200: TradingSettingsView },
      },
    },
    async (request) => tradingSettingsJson(await readTradingSettings(deps, request.params.merchantId)),
  );

  app.put(
    "/merchants/:merchantId/settings",
    {
      schema: {
        tags: TAGS,
        summary: "Replace a merchant's trading settings (every field; the merchant changes some itself with PATCH /merchant/v1/settings)",
        security,
        params: Type.Object({ merchantId: Type.String({ pattern: UUID_PATTERN }) }),
        body: Type.Object(
          {
            fiatCurrency: Type.String({ pattern: "^[A-Z]{3}$", description: "The default currency, one of fiatCurrencies" }),
            fiatCurrencies: Type.Optional(
              Type.Array(Type.String({ pattern: "^[A-Z]{3}$" }), { minItems: 1, maxItems: 20, description: "Every accepted currency; [fiatCurrency] when absent" }),
            ),
            feeRate: Type.String({ pattern: "^0(\\.\\d{1,8})?$" }),
            paymentWindowMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440 })),
            disputeAutoResolveMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
            allowedMethods: Type.Optional(Type.Union([Type.Array(Type.String({ maxLength: 32 }), { maxItems: 50 }), Type.Null()])),
            allowedBanks: Type.Optional(Type.Union([Type.Array(Type.String({ maxLength: 64 }), { maxItems: 200 }), Type.Null()])),
            minFiatAmount: Type.Optional(Amount),
            maxFiatAmount: Type.Optional(Amount),
            webhookUrl: Type.Optional(Type.Union([HttpUrl, Type.Null()])),
            requireRequestSignature: Type.Optional(Type.Boolean()),
            returnUrl: Type.Optional(Type.Union([HttpUrl, Type.Null()], { description: 'The payer page\'s "back to the shop" link' })),
            payerDisputeReopens: Type.Optional(
              Type.Integer({ minimum: 0, maximum: 10, description: 'Disputes a payer may open after support decided "not paid", each with a new receipt (default 1)' }),
            ),
          },
          {
            additionalProperties: false,
            examples: [
              {
                fiatCurrency: "RUB",
                fiatCurrencies: ["RUB", "KZT"],
                feeRate: "0.085",
                paymentWindowMinutes: 15,
                allowedMethods: ["sbp", "card"],
                minFiatAmount: 100,
                maxFiatAmount: 300000,
                webhookUrl: "https://merchant.example/trading-webhooks",
                requireRequestSignature: true,
                returnUrl: "https://shop.example/orders",
                payerDisputeReopens: 1,
              },
            ],
          },
        ),
      },
    },
    async (request) => {
      const b = request.body;
      await saveTradingSettings(deps, request.params.merchantId, {
        ...tradingSettingsChange(b, ""),
        fiatCurrency: b.fiatCurrency,
        feeRate: b.feeRate,
        ...(b.requireRequestSignature !== undefined ? { requireRequestSignature: b.requireRequestSignature } : {}),
        ...(b.payerDisputeReopens !== undefined ? { payerDisputeReopens: b.payerDisputeReopens } : {}),
      });
      return { ok: true };
    },
  );
}
