// Routes of the hosted payer page: the page and its changing panel (in the payer's language), its
// small JSON status poll, the payer's "I have paid" claim, and the receipt upload that opens a
// dispute on the payer's behalf. The pay-in id (an unguessable UUID) is the only key.
import multipart from "@fastify/multipart";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Type } from "typebox";
import type { Deps } from "../../../app/deps.js";
import { openPayerDispute, payerClaimPaid } from "../../../app/trading/disputes.js";
import { payerPageAccess } from "../../../app/risk/page-access.js";
import { payerView } from "../../../app/trading/payer-view.js";
import { countPayinEvents, getPayinForPayer } from "../../../app/trading/queries.js";
import { MAX_RECEIPT_BYTES } from "../../../app/trading/receipts.js";
import { AppError } from "../../../core/shared/errors.js";
import { parseTypedFiatAmount } from "../../../core/trading/fiat-amount.js";
import { installErrorHandling, renderDefaultError } from "../../errors/error-handling.js";
import { fileIn, readMultipartForm } from "../../plugins/multipart-form.js";
import { html } from "../html.js";
import { languageSwitch, messagesForRequest } from "../i18n.js";
import { page } from "../layout.js";
import { payerPageHeaders } from "../send-page.js";
import { renderPayPage, renderPayPanel } from "./pay-page.js";
import { isUuid } from "../../../core/shared/uuid.js";

const Id = Type.Object({ id: Type.String({ maxLength: 64 }) });
/** Not a UUID cannot name a pay-in: the same 404 as an unknown one (and no query with it). */
function payinId(id: string): string {
  if (!isUuid(id)) throw new AppError("not_found", { message: "Pay-in not found" });
  return id;
}

export async function payPageRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const pageHeaders = payerPageHeaders(deps.config.frameAncestors);
  installErrorHandling(app, renderDefaultError);
  await app.register(multipart, { limits: { fileSize: MAX_RECEIPT_BYTES, files: 1, fields: 4, fieldSize: 256, parts: 5 } });

  /** The page's language: `?lang=` (remembered), the cookie, Accept-Language. */
  const messages = (request: FastifyRequest, reply: FastifyReply) => messagesForRequest(request, reply, ["pay"]);
  const sendHtml = (reply: FastifyReply, status: number, body: string) => reply.code(status).headers(pageHeaders).type("text/html; charset=utf-8").send(body);

  app.get("/pay/:id", { schema: { hide: true, params: Id } }, async (request, reply) => {
    const m = messages(request, reply);
    let view;
    try {
      // The merchant's page access setting against its payerInfo: refused, nothing of the payment is read.
      if ((await payerPageAccess(deps, payinId(request.params.id), visitorOf(request), request.log)) === "refused") {
        const body = html`${languageSwitch(m, request.url)}<div class="card" id="refused"><h1>${m.t("refused.heading")}</h1><p>${m.t("refused.text")}</p></div>`;
        return sendHtml(reply, 403, page(m.t("refused.title"), body, { lang: m.lang }));
      }
      view = await payerView(deps, request.params.id);
    } catch (err) {
      if (err instanceof AppError && err.code === "not_found") {
        const body = html`${languageSwitch(m, request.url)}<div class="card"><h1>${m.t("notFound.payment")}</h1></div>`;
        return sendHtml(reply, 404, page(m.t("notFound.title"), body, { lang: m.lang }));
      }
      throw err;
    }
    return sendHtml(reply, 200, renderPayPage(view, m, request.url, deps.clock.now()));
  });

  /** The page's other parts answer a refused visitor with payer_page_refused (403) and do nothing. */
  const assertOpen = async (request: FastifyRequest, rawId: string): Promise<string> => {
    const id = payinId(rawId);
    if ((await payerPageAccess(deps, id, visitorOf(request), request.log)) === "refused") throw new AppError("payer_page_refused");
    return id;
  };

  // The changing part of the page, fetched by its script when the status poll sees a change.
  app.get("/pay/:id/panel", { schema: { hide: true, params: Id } }, async (request, reply) => {
    const m = messages(request, reply);
    return sendHtml(reply, 200, renderPayPanel(await payerView(deps, await assertOpen(request, request.params.id)), m).value);
  });

  app.get(
    "/pay/:id/status",
    {
      schema: {
        tags: ["pages"],
        summary: "Payer page status poll",
        params: Id,
        response: {
          200: Type.Object(
            { status: Type.String(), expiresAt: Type.String(), serverNow: Type.String(), version: Type.Integer({ description: "Changes whenever the pay-in does" }) },
            { examples: [{ status: "active", expiresAt: "2026-05-01T12:15:00.000Z", serverNow: "2026-05-01T12:03:10.000Z", version: 2 }] },
          ),
        },
      },
    },
    async (request, reply) => {
      const p = await getPayinForPayer(deps, await assertOpen(request, request.params.id));
      void reply.header("cache-control", "no-store");
      return { status: p.status, expiresAt: p.expires_at.toISOString(), serverNow: deps.clock.now().toISOString(), version: await countPayinEvents(deps, p.id) };
    },
  );

  app.post(
    "/pay/:id/claim",
    {
      schema: {
        tags: ["pages"],
        summary: "The payer says \"I have paid\": recorded once, shown to the trader, sent to the merchant",
        params: Id,
        response: { 200: Type.Object({ status: Type.String(), payerClaimedAt: Type.String() }, { examples: [{ status: "active", payerClaimedAt: "2026-05-01T12:04:00.000Z" }] }) },
      },
    },
    async (request, reply) => {
      const p = await payerClaimPaid(deps, await assertOpen(request, request.params.id));
      // Without a script the form posts here: back to the page, which now says the payment is being checked.
      if (!wantsJson(request)) return reply.redirect(`/pay/${p.id}`, 303);
      return { status: p.status, payerClaimedAt: p.payer_claimed_at!.toISOString() };
    },
  );

  app.post(
    "/pay/:id/receipt",
    { schema: { tags: ["pages"], summary: "Payer uploads a receipt and the amount sent: opens a dispute", consumes: ["multipart/form-data"], params: Id } },
    async (request, reply) => {
      await assertOpen(request, request.params.id);
      const form = await readMultipartForm(request);
      const file = fileIn(form, "file");
      if (!file) throw new AppError("validation_failed", { field: "file", message: "Choose your receipt file" });
      const fiatMinor = parseTypedFiatAmount(form.fields.fiatAmount ?? null);
      if (fiatMinor === null) throw new AppError("validation_failed", { field: "fiatAmount", message: "Enter the amount you sent" });
      const p = await openPayerDispute(deps, request.params.id, file, fiatMinor);
      if (!wantsJson(request)) return reply.redirect(`/pay/${p.id}`, 303);
      return { status: p.status };
    },
  );
}

const visitorOf = (request: FastifyRequest) => ({ ip: request.ip, userAgent: request.headers["user-agent"] ?? null });

const wantsJson = (request: FastifyRequest) => (request.headers.accept ?? "").includes("application/json");
