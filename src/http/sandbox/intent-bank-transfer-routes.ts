// The payment-intent side of the sandbox bank feed: POST /sandbox/bank-transfers { reference, amount,
// currency } simulates an incoming transfer carrying an intent's payment reference. The one route in
// bank-transfer-routes.ts dispatches bodies with `reference` here.
import { type Static, Type } from "typebox";
import type { Deps } from "../../app/deps.js";
import { matchIntentTransfer } from "../../app/intents/match-bank-transfer.js";

export const IntentBankTransferBody = Type.Object(
  {
    reference: Type.String({ minLength: 4, maxLength: 64 }),
    amount: Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.String({ pattern: "^\\d+(\\.\\d+)?$", maxLength: 40 })]),
    currency: Type.String({ pattern: "^[A-Za-z]{3}$" }),
    /** The bank's id of the transfer; a repeat is ignored. Generated when absent. */
    externalId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  },
  { additionalProperties: false },
);
export type IntentBankTransferBody = Static<typeof IntentBankTransferBody>;

export const IntentBankTransferResult = Type.Object({
  transferId: Type.String(),
  outcome: Type.Union([Type.Literal("paid"), Type.Literal("recalculated"), Type.Literal("refunded"), Type.Literal("unmatched"), Type.Literal("duplicate")]),
  paymentIntentId: Type.Union([Type.String(), Type.Null()]),
});

/** The intent side of the sandbox bank feed, callable from a shared route. */
export async function handleIntentBankTransfer(deps: Deps, body: IntentBankTransferBody) {
  const transferId = body.externalId ?? deps.ids.prefixed("sbx");
  const r = await matchIntentTransfer(deps, { externalId: transferId, reference: body.reference, amount: body.amount, currency: body.currency });
  return { transferId, outcome: r.outcome, paymentIntentId: r.paymentIntentId };
}
