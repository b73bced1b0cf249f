// The trading dialect (/payment/trading, /file/trading, /payment/account), wire-compatible with the
// Bitzone API: thin handlers that validate, call one use case and render the pay-in object.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { Type } from "typebox";
import { startApiKeyCache } from "../../../app/auth/api-key-cache.js";
import { startRiskRuleCache } from "../../../app/risk/rule-cache.js";
import { readMerchantPayin, startPayinReadCache } from "../../../app/trading/payin-read-cache.js";
import { startTradingSettingsCache } from "../../../app/trading/settings-cache.js";
import { startTradingCatalogueCache } from "../../../app/trading/catalogue-cache.js";
import { authenticateMerchant } from "../../../app/auth/authenticate.js";
import { keyAccess } from "../../plugins/merchant-key.js";
import type { Deps } from "../../../app/deps.js";
import { cancelTradingPayin } from "../../../app/trading/payin-lifecycle.js";
import { createTradingPayin, type CreateTradingPayinResult } from "../../../app/trading/create-payin.js";
import { openDispute } from "../../../app/trading/disputes.js";
import {
  getMerchantPayin,
  listMerchantPayins,
  merchantAccount,
  payinObject,
  payinObjects,
  usableBanks,
} from "../../../app/trading/queries.js";
import { renderTradingPayin } from "../../../app/trading/payin-object.js";
import { MAX_RECEIPT_BYTES, readReceipt, uploadReceipt } from "../../../app/trading/receipts.js";
import { checkRequestSignature, signedBytes } from "../../../app/trading/request-signature.js";
import { AppError } from "../../../core/shared/errors.js";
import { type MaybeAsync, thenMaybe } from "../../../core/shared/maybe-async.js";
import type { TradingSettingsRow } from "../../../db/trading/settings.js";
import type { TradingPayinRow } from "../../../db/trading/payins.js";
import type { AmountRequest } from "../../../core/trading/allocation.js";
import { requireFiatAmount } from "../../../core/trading/fiat-amount.js";
import { installErrorHandling } from "../../errors/error-handling.js";
import { committedAnswer, idempotent } from "../../plugins/idempotency.js";
import { keptJson } from "../../plugins/kept-json.js";
import { maybeAsyncHook } from "../../plugins/maybe-async-hook.js";
import { bufferMultipartBodies, fileIn, readMultipartForm } from "../../plugins/multipart-form.js";
import { principalOf } from "../../plugins/principal.js";
import { renderTradingError } from "./error-envelope.js";
import { Bank, CreatePayinBody, DisputeBody, IdParams, ListQuery, PayinObject, PayinRead, TradingError } from "./schemas.js";
import { isUuid } from "../../../core/shared/uuid.js";

const TAGS = ["trading"];
const errors = { 400: TradingError, 401: TradingError, 403: TradingError, 404: TradingError, 409: TradingError };

/** The settings row the signature check read, reused by the create (one read per request). */
const settingsRows = new WeakMap<FastifyRequest, TradingSettingsRow | null>();
const principal = (request: FastifyRequest) => principalOf(request, "merchant");


/** Exactly one of fiatAmount / fiatAmountRange ({min,max} or {from,to}). */
function amountRequest(body: { fiatAmount?: unknown; fiatAmountRange?: Record<string, unknown> }): AmountRequest {
  if ((body.fiatAmount === undefined) === (body.fiatAmountRange === undefined)) {
    throw new AppError("validation_failed", { field: "fiatAmount", message: "Give exactly one of fiatAmount or fiatAmountRange" });
  }
  if (body.fiatAmount !== undefined) return { kind: "exact", amountMinor: requireFiatAmount(body.fiatAmount, "fiatAmount") };
  const r = body.fiatAmountRange!;
  const min = r.min ?? r.from;
  const max = r.max ?? r.to;
  if (min === undefined || max === undefined) throw new AppError("validation_failed", { field: "fiatAmountRange", message: "fiatAmountRange needs min and max" });
  const range = { kind: "range" as const, minMinor: requireFiatAmount(min, "fiatAmountRange.min"), maxMinor: requireFiatAmount(max, "fiatAmountRange.max") };
  if (range.minMinor > range.maxMinor) throw new AppError("validation_failed", { field: "fiatAmountRange", message: "min is above max" });
  return range;
}

function notFoundUnlessUuid(id: string): void {
  if (!isUuid(id)) throw new AppError("not_found", { message: "Pay-in not found" });
}

export async function tradingRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  installErrorHandling(app, renderTradingError);
  startApiKeyCache(deps);
  startRiskRuleCache(deps);
  startTradingSettingsCache(deps);
  startTradingCatalogueCache(deps);
  startPayinReadCache(deps);
  // Receipt uploads are read whole: a signed upload is signed over its raw multipart bytes. The margin
  // leaves room for the part headers, so a file just over the limit is refused by its own size.
  bufferMultipartBodies(app, { maxBytes: MAX_RECEIPT_BYTES + 64 * 1024, maxParts: 6, maxFiles: 1 });

  // The key before the body is read, so a request without one learns nothing about the schema, not even
  // that its JSON is malformed (401 before 400); the signature, over the raw body, once it is read.
  const presentedKey = (request: FastifyRequest) => {
    const key = request.headers["x-api-key"];
    return typeof key === "string" ? key : undefined;
  };
  const authenticate = (request: FastifyRequest): MaybeAsync<void> =>
    thenMaybe(authenticateMerchant(deps, presentedKey(request), keyAccess(request.method)), (p) => {
      request.principal = { kind: "merchant", ...p };
    });
  const checkSignature = (request: FastifyRequest): MaybeAsync<void> => {
    const { merchantId } = principal(request);
    const sig = request.headers["x-signature"];
    const signed = signedBytes(request.method, request.url, request.rawBody);
    return thenMaybe(checkRequestSignature(deps, merchantId, presentedKey(request)!, signed, typeof sig === "string" ? sig : undefined), (settingsRow) => {
      if (settingsRow !== undefined) settingsRows.set(request, settingsRow);
    });
  };
  app.addHook("onRequest", maybeAsyncHook(authenticate));
  app.addHook("preValidation", maybeAsyncHook(checkSignature));

  app.post(
    "/payment/trading/pay-in",
    {
      schema: {
        tags: TAGS,
        summary: "Create a pay-in; the response holds the requisite",
        security: [{ apiKey: [] }],
        body: CreatePayinBody,
        response: { 200: PayinObject, 201: PayinObject, ...errors },
      },
      ...idempotent(deps, (request) => `merchant:${principal(request).merchantId}`),
    },
    async (request, reply) => {
      const { merchantId, apiKeyId } = principal(request);
      const b = request.body;
      const answer = committedAnswer(deps, request, reply, async (r: CreateTradingPayinResult, db) => ({
        status: r.created ? 201 : 200,
        payload: r.requisite ? renderTradingPayin(r.payin, r.requisite, deps.config.publicUrl) : await payinObject(deps, r.payin, db),
      }));
      const r = await createTradingPayin(deps, {
        merchantId,
        apiKeyId,
        amount: amountRequest(b),
        fiatCurrency: b.fiatCurrency ?? null,
        method: b.method ?? null,
        bank: b.bank ?? null,
        callbackUrl: b.callbackUrl ?? null,
        depositType: b.depositType ?? null,
        transferType: b.transferType ?? null,
        extra: (b.extra as Record<string, unknown> | undefined) ?? null,
        body: b,
        settingsRow: settingsRows.get(request),
      }, answer.commit);
      const ip = (b.extra?.payerInfo as { ip?: string } | undefined)?.ip;
      request.log.info({ payinId: r.payin.id, created: r.created, payerIpGiven: ip !== undefined }, "trading pay-in");
      return answer.send(r);
    },
  );

  app.get(
    "/payment/trading/banks",
    {
      schema: {
        tags: TAGS,
        summary: "Banks that can take a pay-in now, per accepted currency",
        security: [{ apiKey: [] }],
        querystring: Type.Object({ fiatCurrency: Type.Optional(Type.String({ pattern: "^[A-Za-z]{3}$", description: "Only this currency (extension)" })) }),
        response: { 200: Type.Array(Bank), ...errors },
      },
    },
    async (request) => usableBanks(deps, principal(request).merchantId, request.query.fiatCurrency ?? null),
  );

  app.get(
    "/payment/trading/pay-in",
    {
      schema: {
        tags: TAGS,
        summary: "List pay-ins, newest first (cursor pagination, limit ≤ 100)",
        security: [{ apiKey: [] }],
        querystring: ListQuery,
        response: { 200: Type.Object({ items: Type.Array(PayinObject), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errors },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await listMerchantPayins(deps, {
        merchantId: principal(request).merchantId,
        ...(q.status ? { status: q.status } : {}),
        ...(q.from ? { from: new Date(q.from) } : {}),
        ...(q.to ? { to: new Date(q.to) } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
        ...(q.limit ? { limit: q.limit } : {}),
      });
      return { items: await payinObjects(deps, page.items), nextCursor: page.nextCursor };
    },
  );

  const sendPayin = keptJson();
  app.get(
    "/payment/trading/:id",
    { schema: { tags: TAGS, summary: "One pay-in, with its risk decision (Extension: `risk`)", security: [{ apiKey: [] }], params: IdParams, response: { 200: PayinRead, ...errors } } },
    (request, reply) => {
      notFoundUnlessUuid(request.params.id);
      return sendPayin(reply, readMerchantPayin(deps, principal(request).merchantId, request.params.id));
    },
  );

  app.post(
    "/payment/trading/pay-in/:id/cancel",
    {
      schema: { tags: TAGS, summary: "Cancel an active pay-in", security: [{ apiKey: [] }], params: IdParams, response: { 200: PayinObject, ...errors } },
      ...idempotent(deps, (request) => `merchant:${principal(request).merchantId}`),
    },
    async (request, reply) => {
      notFoundUnlessUuid(request.params.id);
      const { merchantId, apiKeyId } = principal(request);
      const answer = committedAnswer(deps, request, reply, async (p: TradingPayinRow, db) => ({ status: 200, payload: await payinObject(deps, p, db) }));
      return answer.send(await cancelTradingPayin(deps, merchantId, apiKeyId, request.params.id, answer.commit));
    },
  );

  app.post(
    "/payment/trading/pay-in/:id/dispute",
    {
      schema: {
        tags: TAGS,
        summary: "Open a dispute with an uploaded receipt and the claimed amount",
        security: [{ apiKey: [] }],
        params: IdParams,
        body: DisputeBody,
        response: { 200: PayinObject, ...errors },
      },
      ...idempotent(deps, (request) => `merchant:${principal(request).merchantId}`),
    },
    async (request, reply) => {
      notFoundUnlessUuid(request.params.id);
      const { merchantId, apiKeyId } = principal(request);
      const answer = committedAnswer(deps, request, reply, async (p: TradingPayinRow, db) => ({ status: 200, payload: await payinObject(deps, p, db) }));
      const claim = { invoiceKey: request.body.invoiceKey, fiatMinor: requireFiatAmount(request.body.fiatAmount, "fiatAmount"), comment: request.body.comment ?? null };
      return answer.send(await openDispute(deps, { kind: "merchant", merchantId, apiKeyId }, request.params.id, claim, answer.commit));
    },
  );

  app.post(
    "/file/trading/pay-in/invoice/upload",
    {
      schema: {
        tags: TAGS,
        summary: "Upload a receipt (multipart field `file`: pdf/png/jpeg, ≤ 10 MB)",
        security: [{ apiKey: [] }],
        consumes: ["multipart/form-data"],
        querystring: Type.Object({ tradeId: Type.String({ maxLength: 64 }) }),
        response: { 200: Type.Object({ invoiceKey: Type.String() }), 413: TradingError, 415: TradingError, ...errors },
      },
      ...idempotent(deps, (request) => `merchant:${principal(request).merchantId}`),
    },
    async (request, reply) => {
      notFoundUnlessUuid(request.query.tradeId);
      // Ownership first: another merchant's pay-in is 404 whatever the upload holds.
      await getMerchantPayin(deps, principal(request).merchantId, request.query.tradeId);
      const data = fileIn(await readMultipartForm(request, "Send multipart/form-data with a `file` field"), "file");
      if (!data) throw new AppError("validation_failed", { field: "file", message: "Missing multipart field `file`" });
      const answer = committedAnswer(deps, request, reply, (uploaded: { invoiceKey: string }) => ({ status: 200, payload: uploaded }));
      return answer.send(await uploadReceipt(deps, { kind: "merchant", merchantId: principal(request).merchantId }, request.query.tradeId, data, answer.commit));
    },
  );

  app.get(
    "/file/trading/pay-in/invoice/:invoiceKey",
    {
      schema: {
        tags: TAGS,
        summary: "Download a receipt of one of this merchant's pay-ins",
        security: [{ apiKey: [] }],
        params: Type.Object({ invoiceKey: Type.String({ maxLength: 64 }) }),
      },
    },
    async (request, reply) => {
      const f = await readReceipt(deps, { merchantId: principal(request).merchantId }, request.params.invoiceKey);
      return reply.type(f.contentType).header("content-disposition", "attachment").send(f.data);
    },
  );

  app.get(
    "/payment/account",
    {
      schema: {
        tags: TAGS,
        summary: "Merchant balance in integer micro-units",
        security: [{ apiKey: [] }],
        response: { 200: Type.Object({ balance: Type.String(), currency: Type.String() }), ...errors },
      },
    },
    async (request) => merchantAccount(deps, principal(request).merchantId),
  );
}
