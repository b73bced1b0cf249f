// Routes of the hosted intent checkout (checkoutUrl): the page and the small JSON status it polls.
// The signed token in the path is the only key (app/intents/checkout.ts); an unknown or forged one
// is a 404 page that does not echo it.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { checkoutStatus, checkoutView } from "../../../app/intents/checkout.js";
import type { Deps } from "../../../app/deps.js";
import { AppError } from "../../../core/shared/errors.js";
import { installErrorHandling, renderDefaultError } from "../../errors/error-handling.js";
import { html } from "../html.js";
import { languageSwitch, messagesForRequest } from "../i18n.js";
import { payerPageHeaders, sendPublicPage } from "../send-page.js";
import { checkoutBody, checkoutScript } from "./checkout-page.js";

const TAGS = ["hosted pages"];
const Token = Type.Object({ token: Type.String({ maxLength: 128 }) });

export async function checkoutRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const pageHeaders = payerPageHeaders(deps.config.frameAncestors);
  installErrorHandling(app, renderDefaultError);

  app.get("/checkout/:token", { schema: { tags: TAGS, summary: "Hosted checkout of a payment intent (KYC, transfer details with an EPC QR code, payout)", params: Token } }, async (request, reply) => {
    const m = messagesForRequest(request, reply, ["checkout"]);
    const v = await checkoutView(deps, request.params.token);
    if (!v) {
      const body = html`${languageSwitch(m, request.url)}<div class="card"><h1>${m.t("common:notFound.title")}</h1><p id="not-found">${m.t("notFound")}</p></div>`;
      return sendPublicPage(reply, pageHeaders, 404, m.t("title"), body, undefined, m.lang);
    }
    const body = await checkoutBody(m, v, request.url);
    return sendPublicPage(reply, pageHeaders, 200, `${m.t("title")}: ${v.merchantName}`, body, checkoutScript(v, request.params.token, deps.clock.now()), m.lang);
  });

  app.get(
    "/checkout/:token/status",
    {
      schema: {
        tags: TAGS,
        summary: "Status of a hosted checkout (polled by the page)",
        params: Token,
        response: { 200: Type.Object({ status: Type.Integer(), txHash: Type.Union([Type.String(), Type.Null()]) }) },
      },
    },
    async (request, reply) => {
      const s = await checkoutStatus(deps, request.params.token);
      if (!s) throw new AppError("not_found");
      void reply.header("cache-control", "no-store");
      return s;
    },
  );
}
