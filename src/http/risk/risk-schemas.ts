// Schemas shared by the operator's and the merchant's risk routes. A rule's `spec` is checked by
// core/risk/rules.ts parseRuleSpec (one place knows the vocabulary), so the schema only bounds it.
import { Type } from "typebox";
import { UUID_PATTERN } from "../../core/shared/uuid.js";

export const Uuid = Type.String({ pattern: UUID_PATTERN });

const Spec = Type.Object({ kind: Type.String({ maxLength: 64 }) }, { additionalProperties: true, description: "The rule's kind and parameters (docs/risk.md)" });

const examples = [
  { name: "More than 3 pay-ins per userId in 10 minutes", weight: 100, spec: { kind: "velocity", signal: "userId", measure: "count", windowSeconds: 600, limit: 3 } },
  { name: "Disposable e-mail", weight: 40, spec: { kind: "disposable_email" } },
];

export const RuleCreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    weight: Type.Integer({ minimum: 0, maximum: 100, description: "Added to the score when the rule fires" }),
    spec: Spec,
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, examples },
);

export const RulePatchBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    weight: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    spec: Type.Optional(Spec),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, examples: [{ weight: 60 }, { enabled: false }] },
);

export const RuleView = Type.Object({
  id: Type.String(),
  merchantId: Type.Union([Type.String(), Type.Null()]),
  name: Type.String(),
  weight: Type.Integer(),
  enabled: Type.Boolean(),
  spec: Type.Unknown(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const PageAccess = Type.Union([Type.Literal("off"), Type.Literal("log"), Type.Literal("deny")], {
  description: "What /pay/{id} does when opened from another IP or user agent than payerInfo",
});

export const SettingsBody = Type.Object(
  {
    reviewAt: Type.Optional(Type.Integer({ minimum: 1, maximum: 101, description: "Score at or over which a payment is held for review (101: never)" })),
    blockAt: Type.Optional(Type.Integer({ minimum: 1, maximum: 101, description: "Score at or over which a payment is refused (101: never)" })),
    pageAccess: Type.Optional(PageAccess),
  },
  { additionalProperties: false, examples: [{ reviewAt: 50, blockAt: 80, pageAccess: "deny" }] },
);

export const SettingsView = Type.Object({ merchantId: Type.String(), reviewAt: Type.Integer(), blockAt: Type.Integer(), pageAccess: PageAccess });

const Reason = Type.Object({
  ruleId: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  outcome: Type.Union([Type.Literal("fired"), Type.Literal("not_evaluated")]),
  weight: Type.Integer(),
  seen: Type.Record(Type.String(), Type.Unknown()),
});

export const DecisionView = Type.Object({
  id: Type.String(),
  merchantId: Type.String(),
  flow: Type.String(),
  paymentId: Type.Union([Type.String(), Type.Null()]),
  decision: Type.Union([Type.Literal("allow"), Type.Literal("review"), Type.Literal("block")]),
  score: Type.Integer(),
  reasons: Type.Array(Reason),
  reviewStatus: Type.Union([Type.Literal("pending"), Type.Literal("released"), Type.Literal("rejected"), Type.Null()]),
  reviewedAt: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
});

/** The `risk` member of each dialect's payment read (app/risk/payment-risk.ts); null: not assessed. */
export const PaymentRisk = Type.Union(
  [
    Type.Object({
      decision: DecisionView.properties.decision,
      score: Type.Integer({ minimum: 0, maximum: 100 }),
      reviewStatus: DecisionView.properties.reviewStatus,
      reasons: Type.Array(Reason, { description: "Every rule that fired, and every rule not evaluated for a missing signal, with the values it saw" }),
      decidedAt: Type.String({ format: "date-time" }),
    }),
    Type.Null(),
  ],
  { description: "Extension: the risk engine's decision on this payment (docs/risk.md); null when it was not assessed" },
);
