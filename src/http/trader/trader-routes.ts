// The trader API (/trader/v1, header x-trader-key): see own pay-ins, confirm money received, take
// part in disputes (open review, upload own receipt, answer with the amount that arrived).
import multipart from "@fastify/multipart";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { Type } from "typebox";
import type { Deps } from "../../app/deps.js";
import { traderAnswerDispute, traderOpenReview } from "../../app/trading/disputes.js";
import { traderConfirmPayin } from "../../app/trading/payin-lifecycle.js";
import { traderChainDeposits, traderDepositAddress } from "../../app/trading/deposit-address.js";
import { listTraderPayins, payinObject, payinObjects } from "../../app/trading/queries.js";
import { MAX_RECEIPT_BYTES, uploadReceipt } from "../../app/trading/receipts.js";
import { authenticateTrader } from "../../app/trading/traders.js";
import { AppError } from "../../core/shared/errors.js";
import { parseFiatAmount } from "../../core/trading/fiat-amount.js";
import { TRADING_PAYIN_STATUSES } from "../../core/trading/payin-status.js";
import { installErrorHandling, renderDefaultError } from "../errors/error-handling.js";
import { fileIn, readMultipartForm } from "../plugins/multipart-form.js";
import { principalOf } from "../plugins/principal.js";
import { PayinObject } from "../dialects/trading/schemas.js";
import { DepositAddressObject } from "./deposit-schemas.js";
import { UUID_PATTERN } from "../../core/shared/uuid.js";

const TAGS = ["trader"];
const Id = Type.Object({ id: Type.String({ pattern: UUID_PATTERN }) });

export async function traderRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  await scope.register(async (inner) => {
    const app = inner.withTypeProvider<TypeBoxTypeProvider>();
    installErrorHandling(app, renderDefaultError);
    await app.register(multipart, { limits: { fileSize: MAX_RECEIPT_BYTES, files: 1, fields: 5, fieldSize: 1024, parts: 6 } });
    app.addHook("onRequest", async (request) => {
      const key = request.headers["x-trader-key"];
      request.principal = { kind: "trader", traderId: (await authenticateTrader(deps, typeof key === "string" ? key : undefined)).traderId };
    });
    const trader = (r: FastifyRequest) => principalOf(r, "trader").traderId;
    const security = [{ traderKey: [] }];

    app.get(
      "/pay-ins",
      {
        schema: {
          tags: TAGS,
          summary: "This trader's pay-ins, newest first",
          security,
          querystring: Type.Object({ status: Type.Optional(Type.Enum(TRADING_PAYIN_STATUSES, { type: "string" })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })) }),
          response: { 200: Type.Object({ items: Type.Array(PayinObject) }) },
        },
      },
      async (request) => {
        const rows = await listTraderPayins(deps, trader(request), {
          ...(request.query.status ? { status: request.query.status } : {}),
          limit: request.query.limit ?? 50,
        });
        return { items: await payinObjects(deps, rows) };
      },
    );

    app.get(
      "/deposit/address",
      {
        schema: {
          tags: TAGS,
          summary: "This trader's own deposit address on the EVM chain: USDT sent to it is credited to the deposit after the confirmations",
          description: "Allocated on the first read, the same one ever after. 409 `deposit_address_unavailable` when the platform takes no on-chain deposits.",
          security,
          response: { 200: DepositAddressObject },
        },
      },
      async (request) => traderDepositAddress(deps, trader(request)),
    );

    app.get(
      "/deposit/chain-deposits",
      {
        schema: {
          tags: TAGS,
          summary: "Transfers seen to this trader's deposit address, newest first (credited, parked or reorged)",
          security,
          querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })) }),
          response: {
            200: Type.Object({
              items: Type.Array(
                Type.Object({
                  txHash: Type.String(),
                  logIndex: Type.Integer({ description: "-1 for a native coin transfer" }),
                  blockNumber: Type.String(),
                  asset: Type.String(),
                  amount: Type.String({ description: "In the asset's own decimals, exactly as sent" }),
                  status: Type.Union([Type.Literal("credited"), Type.Literal("parked"), Type.Literal("reorged"), Type.Literal("reversal_due")]),
                  parkReason: Type.Union([Type.String(), Type.Null()]),
                  seenAt: Type.String({ format: "date-time" }),
                }),
              ),
            }),
          },
        },
      },
      async (request) => ({ items: await traderChainDeposits(deps, trader(request), request.query.limit ?? 50) }),
    );

    app.post(
      "/pay-ins/:id/confirm",
      { schema: { tags: TAGS, summary: "Confirm the money arrived: closes the pay-in", security, params: Id, response: { 200: PayinObject } } },
      async (request) => payinObject(deps, await traderConfirmPayin(deps, trader(request), request.params.id)),
    );

    app.post(
      "/pay-ins/:id/review",
      { schema: { tags: TAGS, summary: "Open review of a dispute (dispute → checking)", security, params: Id, response: { 200: PayinObject } } },
      async (request) => payinObject(deps, await traderOpenReview(deps, trader(request), request.params.id)),
    );

    app.post(
      "/pay-ins/:id/answer",
      {
        schema: {
          tags: TAGS,
          summary: "Answer a dispute under review with own receipt and the amount that arrived",
          security,
          params: Id,
          body: Type.Object(
            { invoiceKey: Type.Optional(Type.String({ maxLength: 64 })), fiatAmount: Type.Union([Type.Number(), Type.String({ maxLength: 32 })]) },
            { additionalProperties: false, examples: [{ invoiceKey: "inv_01jef3m1c8d2h5k7n9q3s6v8x0", fiatAmount: "4800.00" }] },
          ),
          response: { 200: PayinObject },
        },
      },
      async (request) => {
        const fiatMinor = parseFiatAmount(request.body.fiatAmount);
        if (fiatMinor === null) throw new AppError("validation_failed", { field: "fiatAmount" });
        const p = await traderAnswerDispute(deps, trader(request), request.params.id, { invoiceKey: request.body.invoiceKey ?? null, fiatMinor });
        return payinObject(deps, p);
      },
    );

    app.post(
      "/pay-ins/:id/receipt",
      {
        schema: {
          tags: TAGS,
          summary: "Upload the trader's receipt (multipart field `file`)",
          security,
          consumes: ["multipart/form-data"],
          params: Id,
          response: { 200: Type.Object({ invoiceKey: Type.String() }) },
        },
      },
      async (request) => {
        const data = fileIn(await readMultipartForm(request), "file");
        if (!data) throw new AppError("validation_failed", { field: "file" });
        return uploadReceipt(deps, { kind: "trader", traderId: trader(request) }, request.params.id, data);
      },
    );
  }, { prefix: "/trader/v1" });
}
