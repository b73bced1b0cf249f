// /admin/v1/customers/erase: a person's right to erasure (app/privacy/erase-customer.ts, the same use
// case as `rampart customer erase`). Mounted inside the operator-authenticated admin scope; the
// operator key's id and the caller's address go into the audit entry.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { Deps } from "../../app/deps.js";
import { eraseCustomer } from "../../app/privacy/erase-customer.js";
import { principalOf } from "../plugins/principal.js";

const TAGS = ["admin: customers"];
const security = [{ operatorKey: [] }];

const Person = Type.Union(
  [
    Type.Object(
      {
        kind: Type.Literal("intent_email"),
        storeId: Type.String({ minLength: 1, maxLength: 100 }),
        email: Type.String({ minLength: 3, maxLength: 320, pattern: "^[^\\s@]+@[^\\s@]+$" }),
      },
      { additionalProperties: false, description: "A payer of payment intents (and their KYC) in one store, by the e-mail the merchant sent" },
    ),
    Type.Object(
      {
        kind: Type.Literal("card_customer"),
        customerId: Type.String({ pattern: "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9]{1,18})$" }),
      },
      { additionalProperties: false, description: "A card-dialect customer, by uuid or by the customerId number the clients show" },
    ),
    Type.Object(
      {
        kind: Type.Literal("trading_payer"),
        merchantId: Type.String({ format: "uuid" }),
        userId: Type.String({ minLength: 1, maxLength: 200 }),
      },
      { additionalProperties: false, description: "A trading payer, by the merchant's user id sent as extra.payerInfo.userId" },
    ),
  ],
  { examples: [{ kind: "intent_email", storeId: "store_1", email: "ana@example.com" }] },
);

const Erasure = Type.Object({
  subject: Type.String({ description: "the keyed hash the audit log names the person by" }),
  alreadyErased: Type.Boolean({ description: "the person was erased before; the counts are what this run still found" }),
  records: Type.Record(Type.String(), Type.Integer(), { description: "rows changed per record class in this run" }),
  keptOpenRefunds: Type.Integer({ description: "refund orders still being paid to the person keep their creditor until the bank closes them" }),
  auditId: Type.String(),
});

export async function customerAdminRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    "/customers/erase",
    {
      schema: {
        tags: TAGS,
        summary: "Erase a person's personal data (right to erasure), keeping the ledger and payment records",
        description:
          "In one transaction every personal field Rampart holds about the person (KYC fields and document files, e-mail, phone, card holder and address, " +
          "payer info and IPs, payer names and IBANs of their bank transfers, and the same values inside stored webhook bodies and events) becomes `[erased]`; " +
          "amounts, statuses, times and the ledger stay. An audit entry records the operator key, the record classes and counts, and the time. " +
          "Erasing again answers 200 with `alreadyErased: true`; a person Rampart never held is 404 `customer_not_found`. " +
          "See docs/operations.md#erasure-and-retention.",
        security,
        body: Person,
        response: { 200: Erasure },
      },
    },
    async (request) => {
      const { operatorId, name } = principalOf(request, "operator");
      return eraseCustomer(deps, request.body, { kind: "operator", operatorId, name, ip: request.ip });
    },
  );
}
