// The hosted 3-D Secure page (a card payment's authLink). In the sandbox the payer approves or fails
// the challenge here; the answer goes to the card acquirer port and the browser returns to the
// merchant's successUrl or failUrl. An unanswered challenge fails after the timeout (a due-time job);
// the page counts down to it live and, at zero, shows that the time ran out. Every word is in the
// payer's language (locales/<lang>/threeds.json), the merchant named.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { answerChallenge, challengePage, paymentForToken } from "../../../app/card/card-challenge.js";
import type { Deps } from "../../../app/deps.js";
import { callbackStatus } from "../../../core/card/payment-status.js";
import type { PaymentRow } from "../../../db/card/offers.js";
import { html, jsonForScript, raw, type SafeHtml } from "../html.js";
import { languageSwitch, messagesForRequest } from "../i18n.js";
import { COUNTDOWN_SCRIPT } from "../page-scripts.js";
import { payerPageHeaders, sendPublicPage } from "../send-page.js";

const TAGS = ["pages"];
const Params = Type.Object({ token: Type.String({ maxLength: 128 }) });

type Messages = ReturnType<typeof messagesForRequest>;
type Outcome = "approved" | "declined" | "timeout" | "pending";

/** The acquirer's answer code for a challenge nobody answered in time (card-challenge.ts). */
const TIMEOUT_CODE = 408;

function outcomeOf(p: PaymentRow, now: Date): Outcome {
  if (p.status === "challenge") return p.challenge_expires_at && p.challenge_expires_at <= now ? "timeout" : "pending";
  switch (callbackStatus(p.status)) {
    case "SUCCESS":
      return "approved";
    case "FAILURE":
      return p.transaction_status_code === TIMEOUT_CODE ? "timeout" : "declined";
    case "PENDING":
      return "pending";
  }
}

function summary(m: Messages, p: PaymentRow, merchant: string): SafeHtml {
  return html`<p class="muted" id="merchant">${m.t("payTo", { merchant })}</p>
<div class="row"><span class="muted">${m.t("amount")}</span><span class="big" id="amount">${m.money(p.fiat_minor, p.fiat)}</span></div>
<div class="row"><span class="muted">${m.t("card")}</span><span class="mono" id="card">${p.masked_pan}</span></div>`;
}

function challengeView(m: Messages, token: string, p: PaymentRow, merchant: string): SafeHtml {
  return html`<div class="card"><h1>${m.t("heading")}</h1>
${summary(m, p, merchant)}
<p class="timer"><span class="muted">${m.t("timeLeft")}:</span> <strong id="countdown" class="mono" role="timer">--:--</strong></p>
<p class="muted">${m.t("sandboxNote")}</p>
<form method="post" action="/3ds/${token}/approve"><p><button type="submit" id="approve">${m.t("approve")}</button></p></form>
<form method="post" action="/3ds/${token}/fail"><p><button type="submit" class="danger" id="fail">${m.t("fail")}</button></p></form>
<p id="expired" class="error" hidden>${m.t("outcomeText.timeout")}</p></div>`;
}

function outcomeView(m: Messages, p: PaymentRow, merchant: string, outcome: Outcome): SafeHtml {
  const cls = outcome === "approved" ? "ok" : outcome === "pending" ? "warn" : "bad";
  const retry = outcome === "declined" || outcome === "timeout" ? (p.fail_url ?? p.cancel_url) : null;
  const back = outcome === "approved" ? p.success_url : (p.cancel_url ?? p.fail_url);
  return html`<div class="card"><h1>${m.t("heading")}</h1>
<p aria-live="polite"><span class="status ${cls}" id="status" data-outcome="${callbackStatus(p.status)}" data-state="${outcome}">${m.t(`outcome.${outcome}`)}</span></p>
<p id="outcome-text">${m.t(`outcomeText.${outcome}`, { merchant })}</p>
${summary(m, p, merchant)}
${retry ? html`<p><a class="btn" id="retry" href="${retry}">${m.t("tryAnotherCard")}</a></p>` : ""}
${back && back !== retry ? html`<p><a id="back" href="${back}">${m.t("back", { merchant })}</a></p>` : ""}</div>`;
}

const notFound = (m: Messages) => html`<div class="card"><h1>${m.t("notFound.title")}</h1><p class="muted">${m.t("notFound.text")}</p></div>`;

export async function threeDsRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const pageHeaders = payerPageHeaders(deps.config.frameAncestors);

  app.get("/3ds/:token", { schema: { tags: TAGS, summary: "Hosted 3-D Secure challenge page", params: Params } }, async (request, reply) => {
    const m = messagesForRequest(request, reply, ["threeds"]);
    const send = (status: number, body: SafeHtml, script?: SafeHtml) =>
      sendPublicPage(reply, pageHeaders, status, m.t("title"), html`${languageSwitch(m, request.url)}${body}`, script, m.lang);
    const found = await challengePage(deps, request.params.token);
    if (!found) return send(404, notFound(m));
    const { payment: p, merchantName: merchant } = found;
    const now = deps.clock.now();
    const outcome = outcomeOf(p, now);
    if (p.status === "challenge" && outcome === "pending") {
      // At zero the challenge can no longer be answered: say so at once (a reload shows the outcome).
      const state = { expiresAt: p.challenge_expires_at?.toISOString() ?? null, serverNow: now.toISOString() };
      const onZero = `S.onZero=function(){document.getElementById("expired").hidden=false;["approve","fail"].forEach(function(id){document.getElementById(id).disabled=true})};`;
      return send(200, challengeView(m, request.params.token, p, merchant), html`var S=${jsonForScript(state)};${raw(onZero)}${raw(COUNTDOWN_SCRIPT)}`);
    }
    return send(200, outcomeView(m, p, merchant, outcome));
  });

  for (const action of ["approve", "fail"] as const) {
    app.post(
      `/3ds/:token/${action}`,
      { schema: { tags: TAGS, summary: `3-D Secure challenge: ${action}; redirects to successUrl or failUrl`, params: Params } },
      async (request, reply) => {
        const { token } = request.params;
        const p = await paymentForToken(deps, token);
        if (!p) {
          const m = messagesForRequest(request, reply, ["threeds"]);
          return sendPublicPage(reply, pageHeaders, 404, m.t("title"), notFound(m), undefined, m.lang);
        }
        const after = await answerChallenge(deps, p, action === "approve");
        const target = after.status === "succeeded" ? after.success_url : after.status === "failed" ? after.fail_url : null;
        return reply.redirect(target ?? `/3ds/${encodeURIComponent(token)}`, 303);
      },
    );
  }
}
