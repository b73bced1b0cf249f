// The sandbox bank feed: POST /sandbox/bank-transfers simulates an incoming transfer, either to a
// trader's requisite ({ requisiteId, amount }) or carrying a payment-intent reference ({ reference,
// amount, currency }). It needs the merchant key whose payments it pays (x-api-key) or the operator
// key (x-operator-key). In a live installation it pays test payments only: a test key is taken (its
// twin's payments are the only ones it can reach), a live key or the operator key is 403 test_mode_only.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { Type } from "typebox";
import { authenticateOperator } from "../../app/auth/authenticate.js";
import { authenticateMerchantKey } from "../plugins/merchant-key.js";
import type { Deps } from "../../app/deps.js";
import { type SandboxActor, sandboxBankTransfer } from "../../app/sandbox/sandbox-bank-transfer.js";
import { BANK_TRANSFER_OUTCOMES } from "../../core/bank-transfers/outcome.js";
import { UUID_PATTERN } from "../../core/shared/uuid.js";
import { type Principal, principalOf } from "../plugins/principal.js";
import { AppError } from "../../core/shared/errors.js";

const Amount = Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.String({ pattern: "^\\d+(\\.\\d+)?$", maxLength: 40 })]);
const Optional = <T extends Parameters<typeof Type.Optional>[0]>(t: T) => Type.Optional(t);

const TransferBody = Type.Object(
  {
    requisiteId: Optional(Type.String({ pattern: UUID_PATTERN })),
    reference: Optional(Type.String({ minLength: 4, maxLength: 64 })),
    amount: Amount,
    currency: Optional(Type.String({ pattern: "^[A-Za-z]{3}$" })),
    payerName: Optional(Type.String({ minLength: 1, maxLength: 200 })),
    payerIban: Optional(Type.String({ minLength: 5, maxLength: 34 })),
    externalId: Optional(Type.String({ minLength: 1, maxLength: 128 })),
  },
  {
    additionalProperties: false,
    examples: [
      { requisiteId: "0f8e2a4c-6b1d-4c3e-9a5f-7d2b1c0e8f64", amount: "5000.00" },
      { reference: "RMP4F2A9C01D7E3", amount: "100.00", currency: "EUR", payerName: "Ada Lovelace", payerIban: "ES9121000418450200051332" },
    ],
  },
);

const Nullable = (t: ReturnType<typeof Type.String>) => Type.Union([t, Type.Null()]);
const TransferResult = Type.Object({
  transferId: Type.String(),
  outcome: Type.Enum(BANK_TRANSFER_OUTCOMES),
  duplicate: Type.Boolean({ description: "true when this externalId was delivered before: nothing changed" }),
  reason: Nullable(Type.String()),
  tradingPayinId: Nullable(Type.String()),
  paymentIntentId: Nullable(Type.String()),
});

/** The operator key when one is sent (it may deliver any transfer), else the merchant's API key. */
async function authenticateFeedCaller(deps: Deps, request: FastifyRequest): Promise<Principal> {
  const operatorKey = request.headers["x-operator-key"];
  if (operatorKey !== undefined) {
    return { kind: "operator", session: null, ...(await authenticateOperator(deps, typeof operatorKey === "string" ? operatorKey : undefined)) };
  }
  return { kind: "merchant", ...(await authenticateMerchantKey(deps, request)) };
}

function sandboxActor(request: FastifyRequest): SandboxActor {
  return request.principal?.kind === "operator" ? { operator: true } : { merchantId: principalOf(request, "merchant").merchantId };
}

export async function sandboxBankFeedRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  // Authenticate before the body is read: a caller without a key learns nothing about the schema,
  // not even that its JSON is malformed (401 before 400).
  app.addHook("onRequest", async (request) => {
    const principal = await authenticateFeedCaller(deps, request);
    request.principal = principal;
    if (deps.config.mode !== "sandbox" && !(principal.kind === "merchant" && principal.test)) throw new AppError("test_mode_only");
  });
  app.post(
    "/sandbox/bank-transfers",
    {
      schema: {
        tags: ["sandbox"],
        summary: "Simulate an incoming bank transfer to a trading requisite or with a payment-intent reference (sandbox mode; in live mode, test keys only)",
        security: [{ apiKey: [] }, { operatorKey: [] }],
        body: TransferBody,
        response: { 200: TransferResult },
      },
    },
    async (request) => {
      const r = await sandboxBankTransfer(deps, sandboxActor(request), request.body);
      return {
        transferId: r.transferId,
        outcome: r.outcome,
        duplicate: r.duplicate,
        reason: r.reason,
        tradingPayinId: r.tradingPayinId,
        paymentIntentId: r.intentId,
      };
    },
  );
}
