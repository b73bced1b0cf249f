// The hosted 3-D Secure page (a card payment's authLink). In the sandbox the payer approves or fails
// the challenge here; the answer goes to the card acquirer port and the browser returns to the
// merchant's successUrl or failUrl. An unanswered challenge fails after the timeout (a due-time job).
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { answerChallenge, paymentForToken } from "../../../app/card/card-challenge.js";
import type { Deps } from "../../../app/deps.js";
import { callbackStatus } from "../../../core/card/payment-status.js";
import { fiatScale } from "../../../core/money/currencies.js";
import { formatMinor } from "../../../core/money/decimal.js";
import type { PaymentRow } from "../../../db/card/offers.js";
import { html, type SafeHtml } from "../html.js";
import { payerPageHeaders, sendPublicPage } from "../send-page.js";

const TAGS = ["pages"];
const Params = Type.Object({ token: Type.String({ maxLength: 128 }) });


function summary(p: PaymentRow): SafeHtml {
  return html`<div class="row"><span class="muted">Amount</span><span class="big" id="amount">${formatMinor(BigInt(p.fiat_minor), fiatScale(p.fiat))} ${p.fiat}</span></div>
<div class="row"><span class="muted">Card</span><span class="mono" id="card">${p.masked_pan}</span></div>`;
}

function challengeView(token: string, p: PaymentRow, minutesLeft: number): SafeHtml {
  return html`<div class="card"><h1>Confirm your payment</h1>
<p class="muted">Sandbox 3-D Secure: approve to authorise the charge, or fail it. This page expires in ${minutesLeft} min.</p>
${summary(p)}
<form method="post" action="/3ds/${token}/approve"><p><button type="submit" id="approve">Approve</button></p></form>
<form method="post" action="/3ds/${token}/fail"><p><button type="submit" class="danger" id="fail">Fail</button></p></form></div>`;
}

function outcomeView(p: PaymentRow): SafeHtml {
  const status = callbackStatus(p.status);
  const cls = status === "SUCCESS" ? "ok" : status === "FAILURE" ? "bad" : "warn";
  const back = status === "SUCCESS" ? p.success_url : p.fail_url;
  return html`<div class="card"><h1>Payment <span class="status ${cls}" id="status">${status}</span></h1>
${summary(p)}<p class="muted">${p.transaction_status ?? ""}</p>
${back ? html`<p><a class="btn" href="${back}">Return to the merchant</a></p>` : ""}</div>`;
}

const notFound = html`<div class="card"><h1>Link not valid</h1><p class="muted">This 3-D Secure link is unknown.</p></div>`;

export async function threeDsRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const pageHeaders = payerPageHeaders(deps.config.frameAncestors);
  app.get("/3ds/:token", { schema: { tags: TAGS, summary: "Hosted 3-D Secure challenge page", params: Params } }, async (request, reply) => {
    const { token } = request.params as { token: string };
    const p = await paymentForToken(deps, token);
    if (!p) return sendPublicPage(reply, pageHeaders, 404, "3-D Secure", notFound);
    if (p.status === "challenge" && p.challenge_expires_at && p.challenge_expires_at > deps.clock.now()) {
      const left = Math.ceil((p.challenge_expires_at.getTime() - deps.clock.now().getTime()) / 60_000);
      return sendPublicPage(reply, pageHeaders, 200, "3-D Secure", challengeView(token, p, left));
    }
    return sendPublicPage(reply, pageHeaders, 200, "3-D Secure", outcomeView(p));
  });

  for (const action of ["approve", "fail"] as const) {
    app.post(
      `/3ds/:token/${action}`,
      { schema: { tags: TAGS, summary: `3-D Secure challenge: ${action}; redirects to successUrl or failUrl`, params: Params } },
      async (request, reply) => {
        const { token } = request.params as { token: string };
        const p = await paymentForToken(deps, token);
        if (!p) return sendPublicPage(reply, pageHeaders, 404, "3-D Secure", notFound);
        const after = await answerChallenge(deps, p, action === "approve");
        const target = after.status === "succeeded" ? after.success_url : after.status === "failed" ? after.fail_url : null;
        return reply.redirect(target ?? `/3ds/${token}`, 303);
      },
    );
  }
}
