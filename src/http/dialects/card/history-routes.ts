// GET /v2/history/operations: the customer's card pay-ins in vault.ist's operation shape
// (docs/contract-card.md#payment-history). Paged by offset (or the misspelt offest one client sends)
// and size, bounded so a page is never large.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { type HistoryQuery, PAYIN_CARD, paymentHistory } from "../../../app/card/payment-history.js";
import type { Deps } from "../../../app/deps.js";
import { CRYPTO_WIRE_SCALE, truncateToWireScale } from "../../../core/card/card-amounts.js";
import { callbackStatus } from "../../../core/card/payment-status.js";
import { fiatScale } from "../../../core/money/currencies.js";
import { minorToJsonNumber } from "../../../core/money/decimal.js";
import { divRound, pow10 } from "../../../core/money/rounding.js";
import { AppError } from "../../../core/shared/errors.js";
import type { HistoryRow } from "../../../db/card/payment-history.js";
import { installErrorHandling } from "../../errors/error-handling.js";
import { requireCustomer, customerOf } from "./card-auth.js";
import { custodialAddress } from "./wallet-render.js";
import { renderCardError } from "./envelope.js";
import { HistoryQuerySchema } from "./schemas.js";

const TAGS = ["card: customers"];
const MAX_SIZE = 100;
const DEFAULT_SIZE = 50;
const MAX_OFFSET = 10_000;

const OPERATION_STATUS = { SUCCESS: "COMPLETED", FAILURE: "FAILED", PENDING: "PENDING" } as const;

/** A filter given once, repeated, or comma-separated → upper-case values; absent → null. */
function listOf(v: string | string[] | undefined): string[] | null {
  if (v === undefined) return null;
  const values = (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(",")).map((s) => s.trim().toUpperCase()).filter((s) => s !== "");
  return values.length ? values : null;
}

function bounded(v: string | undefined, field: string, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new AppError("validation_failed", { field, message: `${field} must be a whole number from ${min} to ${max}.` });
  return n;
}

function renderOperation(p: HistoryRow) {
  const fiatScaleOf = fiatScale(p.fiat);
  const scale = Math.min(p.crypto_decimals, CRYPTO_WIRE_SCALE);
  const crypto = truncateToWireScale(BigInt(p.crypto_minor), p.crypto_decimals) / 10n ** BigInt(p.crypto_decimals - scale);
  // Crypto per 1 fiat paid, as the public example's rate (creditAmount × rate = debitAmount), rounded down.
  const rate = divRound(crypto * pow10(fiatScaleOf + CRYPTO_WIRE_SCALE), BigInt(p.fiat_minor) * pow10(scale), "floor");
  const status = callbackStatus(p.status);
  return {
    operationId: p.offer_id,
    operationDate: p.created_at.toISOString(),
    operationStatus: OPERATION_STATUS[status],
    sequenceId: p.id,
    operationType: PAYIN_CARD,
    payinCardModel: {
      fromCardPAN: p.masked_pan,
      toAddress: p.wallet_id === null ? null : custodialAddress(p.wallet_id),
      // As vault.ist's published example: the debit is the crypto bought, the credit the fiat charged.
      debitAmount: { value: minorToJsonNumber(crypto, scale), currency: p.crypto },
      creditAmount: { value: minorToJsonNumber(BigInt(p.fiat_minor), fiatScaleOf), currency: p.fiat },
      feeAmount: { value: minorToJsonNumber(BigInt(p.fee_minor), fiatScaleOf), currency: p.fiat },
      exchangeRate: { sourceCurrency: p.fiat, targetCurrency: p.crypto, rate: minorToJsonNumber(rate, CRYPTO_WIRE_SCALE), multiplier: 1 },
      authorizationCode: null,
      txHash: null,
    },
    exchangeModel: null,
    receiveCryptoModel: null,
    payinAdvcashModel: null,
    payoutCardModel: null,
    sendToWalletModel: null,
    sendToPhoneModel: null,
  };
}

export async function historyRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  installErrorHandling(app, renderCardError);
  requireCustomer(app, deps);
  app.get(
    "/v2/history/operations",
    {
      schema: {
        tags: TAGS,
        summary: "The customer's card pay-ins, newest first (offset 0-10000, size 1-100, default 50; typeFilter, currencyFilter)",
        security: [{ bearer: [] }],
        querystring: HistoryQuerySchema,
      },
    },
    async (request) => {
      const q = request.query;
      const query: HistoryQuery = {
        offset: q.offset !== undefined ? bounded(q.offset, "offset", 0, 0, MAX_OFFSET) : bounded(q.offest, "offest", 0, 0, MAX_OFFSET),
        size: bounded(q.size, "size", DEFAULT_SIZE, 1, MAX_SIZE),
        types: listOf(q.typeFilter),
        currencies: listOf(q.currencyFilter),
      };
      return (await paymentHistory(deps, customerOf(request), query)).map(renderOperation);
    },
  );
}
