// Releasing or rejecting a payment the risk rules held for review, from its page in the console: each
// button first opens what will happen for that flow, then one POST runs decideReview, the same use
// case as POST /admin/v1/risk/reviews/:paymentId/release|reject (permission payments.manage).
import type { FastifyInstance } from "fastify";
import type { Deps } from "../../app/deps.js";
import type { PaymentStory } from "../../app/payments/payment-story.js";
import { REVIEW_EFFECTS } from "../../app/risk/review-effects.js";
import { decideReview } from "../../app/risk/reviews.js";
import { runFormAction } from "../pages/form-action.js";
import { html, type SafeHtml } from "../pages/html.js";
import { confirmAction } from "./confirm-action.js";
import { operatorOf, type SectionContext } from "./section.js";

const ACTIONS = ["release", "reject"] as const;

/** What each decision does in each flow (app/risk/review-effects.ts), said before it is taken. */
export const REVIEW_EFFECT_TEXT: Record<PaymentStory["payment"]["dialect"], Record<(typeof ACTIONS)[number], string>> = {
  trading: { release: "The trader may confirm the pay-in and its hold then settles.", reject: "The pay-in is cancelled by support and the trader's hold is voided." },
  intent: { release: "If the intent is already paid, its crypto is sent to the payer's wallet.", reject: "The intent is cancelled (refused if it can no longer be)." },
  card: { release: "The offer may be paid.", reject: "The offer can never be paid." },
};

const pagePath = (id: string) => `/dashboard/payments/${id}`;

export function riskReviewForms(s: PaymentStory, ctx: Pick<SectionContext, "csrf" | "can">): SafeHtml | string {
  if (s.risk?.review_status !== "pending" || !ctx.can("payments.manage")) return "";
  const p = s.payment;
  return html`<section class="card" id="risk-review"><h2>Risk review</h2><p>The risk rules held this payment (score ${s.risk.score}).</p>
${ACTIONS.map((a) =>
  confirmAction({
    label: a === "release" ? "Release" : "Reject",
    action: `${pagePath(p.id)}/risk-review/${a}`,
    csrf: ctx.csrf,
    effect: REVIEW_EFFECT_TEXT[p.dialect][a],
    yes: a === "release" ? "Release the payment" : "Reject the payment",
    danger: a === "reject",
  }),
)}</section>`;
}

export function riskReviewRoutes(app: FastifyInstance, deps: Deps): void {
  for (const action of ACTIONS) {
    app.post<{ Params: { id: string } }>(
      `/dashboard/payments/:id/risk-review/${action}`,
      {
        schema: { hide: true, params: { type: "object", properties: { id: { type: "string", minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9_-]+$" } }, required: ["id"] } },
        config: { permission: "payments.manage" },
      },
      async (request, reply) =>
        runFormAction(reply, pagePath(request.params.id), async () => {
          const d = await decideReview(deps, REVIEW_EFFECTS, request.params.id, action, operatorOf(request));
          return `Risk review ${d.reviewStatus ?? action}.`;
        }),
    );
  }
}
