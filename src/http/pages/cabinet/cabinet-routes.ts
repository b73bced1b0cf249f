// The trader cabinet at /cabinet: sign in with a trader key (rtr_...), then one page with open pay-ins
// to confirm, disputes to review and answer, requisites and the deposit. Every action calls the same
// use case as the trader API (/trader/v1). The session is checked on onRequest, before any body
// (a receipt upload) is read; the CSRF field is checked once the body is parsed.
import multipart from "@fastify/multipart";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Deps } from "../../../app/deps.js";
import { traderAnswerDispute, traderOpenReview } from "../../../app/trading/disputes.js";
import { traderConfirmPayin } from "../../../app/trading/payin-lifecycle.js";
import { MAX_RECEIPT_BYTES, readReceipt, uploadReceipt } from "../../../app/trading/receipts.js";
import { disputesForTrader, openPayinsForTrader } from "../../../app/trading/support-queries.js";
import { switchRequisite, traderOverview } from "../../../app/trading/trader-overview.js";
import { TRADER_SESSION_TTL_MS, signInTrader, traderCsrfToken, traderCsrfValid, verifyTraderSession } from "../../../app/trading/trader-session.js";
import { AppError } from "../../../core/shared/errors.js";
import { parseFiatAmount } from "../../../core/trading/fiat-amount.js";
import { readMultipartForm } from "../../plugins/multipart-form.js";
import { readCookie, sessionCookie } from "../cookies.js";
import { runFormAction } from "../form-action.js";
import { html } from "../html.js";
import { flash, sendDownload, sendPrivatePage } from "../send-page.js";
import { cabinetBody, cabinetLoginForm } from "./cabinet-page.js";
import { principalOf } from "../../plugins/principal.js";
import { UUID_PATTERN } from "../../../core/shared/uuid.js";

const COOKIE = "rampart_trader";
const HOME = "/cabinet";
const idParams = { type: "object", properties: { id: { type: "string", pattern: UUID_PATTERN } }, required: ["id"] } as const;

const sessionOf = (r: FastifyRequest) => principalOf(r, "trader_session");

export async function cabinetRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const secure = deps.config.publicUrl.startsWith("https:");
  const cookie = (value: string, maxAgeSeconds: number) => sessionCookie(COOKIE, value, { path: HOME, maxAgeSeconds, secure });

  // Multipart only for the answer form; it becomes a body of text fields and the file as a Buffer
  // (bounded by the receipt limit), so the CSRF check below reads every form the same way.
  await app.register(multipart, { limits: { fileSize: MAX_RECEIPT_BYTES, files: 1, fields: 5, fieldSize: 1024, parts: 6 } });

  const isOpen = (url: string) => url === `${HOME}/login` || url.startsWith(`${HOME}/login?`);

  app.addHook("onRequest", async (request, reply) => {
    if (isOpen(request.url)) return;
    const token = readCookie(request.headers.cookie, COOKIE);
    const traderId = await verifyTraderSession(deps, token);
    if (!traderId) return reply.redirect(`${HOME}/login`, 303);
    request.principal = { kind: "trader_session", token: token!, traderId };
  });

  app.addHook("preValidation", async (request) => {
    if (!request.isMultipart()) return;
    const { fields, files } = await readMultipartForm(request);
    request.body = { ...fields, ...Object.fromEntries(files.map((f) => [f.field, f.data])) };
  });

  app.addHook("preHandler", async (request, reply) => {
    if (request.method !== "POST" || isOpen(request.url)) return;
    const sent = (request.body as { csrf?: unknown } | undefined)?.csrf;
    if (!traderCsrfValid(deps, sessionOf(request).token, sent)) {
      return sendPrivatePage(reply, 403, "Forbidden", html`<p class="card error">The form expired. <a href="${HOME}">Reload the cabinet</a> and try again.</p>`);
    }
  });

  app.get(`${HOME}/login`, { schema: { hide: true } }, async (_req, reply) => sendPrivatePage(reply, 200, "Trader sign-in", cabinetLoginForm()));

  app.post<{ Body: { key?: unknown } }>(`${HOME}/login`, { schema: { hide: true } }, async (request, reply) => {
    try {
      const key = request.body?.key;
      const { token } = await signInTrader(deps, typeof key === "string" ? key : undefined);
      return reply.header("set-cookie", cookie(token, TRADER_SESSION_TTL_MS / 1000)).redirect(HOME, 303);
    } catch (err) {
      if (err instanceof AppError && err.code === "unauthorized") {
        return sendPrivatePage(reply, 401, "Trader sign-in", cabinetLoginForm("That trader key is not valid."));
      }
      throw err;
    }
  });

  app.post(`${HOME}/logout`, { schema: { hide: true } }, async (_req, reply) => reply.header("set-cookie", cookie("", 0)).redirect(`${HOME}/login`, 303));

  app.get<{ Querystring: Record<string, string> }>(HOME, { schema: { hide: true } }, async (request, reply) => {
    const { token, traderId } = sessionOf(request);
    const [trader, open, disputes] = await Promise.all([
      traderOverview(deps, traderId),
      openPayinsForTrader(deps, traderId),
      disputesForTrader(deps, traderId),
    ]);
    const body = html`${flash(request.query ?? {})}${cabinetBody({ trader, open, disputes, csrf: traderCsrfToken(deps, token) })}`;
    return sendPrivatePage(reply, 200, "Trader cabinet · Rampart", body);
  });

  app.post<{ Params: { id: string } }>(`${HOME}/pay-ins/:id/confirm`, { schema: { hide: true, params: idParams } }, async (request, reply) =>
    runFormAction(reply, HOME, async () => {
      const p = await traderConfirmPayin(deps, sessionOf(request).traderId, request.params.id);
      return `Pay-in ${p.id} confirmed: ${p.status}.`;
    }),
  );

  app.post<{ Params: { id: string } }>(`${HOME}/pay-ins/:id/review`, { schema: { hide: true, params: idParams } }, async (request, reply) =>
    runFormAction(reply, HOME, async () => {
      const p = await traderOpenReview(deps, sessionOf(request).traderId, request.params.id);
      return `Review opened on pay-in ${p.id}: answer with your receipt and the amount that arrived.`;
    }),
  );

  app.post<{ Params: { id: string }; Body: { fiatAmount?: unknown; file?: unknown } }>(
    `${HOME}/pay-ins/:id/answer`,
    { schema: { hide: true, params: idParams } },
    async (request: FastifyRequest<{ Params: { id: string }; Body: { fiatAmount?: unknown; file?: unknown } }>, reply: FastifyReply) =>
      runFormAction(reply, HOME, async () => {
        const { traderId } = sessionOf(request);
        const fiatMinor = parseFiatAmount(request.body?.fiatAmount);
        if (fiatMinor === null) throw new AppError("validation_failed", { field: "fiatAmount", message: "Enter the amount that arrived, e.g. 5000.00" });
        const file = request.body?.file;
        const invoiceKey =
          Buffer.isBuffer(file) && file.length > 0 ? (await uploadReceipt(deps, { kind: "trader", traderId }, request.params.id, file)).invoiceKey : null;
        const p = await traderAnswerDispute(deps, traderId, request.params.id, { invoiceKey, fiatMinor });
        return `Answer sent for pay-in ${p.id}. Support will decide.`;
      }),
  );

  app.post<{ Params: { id: string }; Body: { enabled?: unknown } }>(
    `${HOME}/requisites/:id/switch`,
    { schema: { hide: true, params: idParams } },
    async (request, reply) =>
      runFormAction(reply, HOME, async () => {
        const enabled = request.body?.enabled === "true";
        await switchRequisite(deps, { requisiteId: request.params.id, enabled, traderId: sessionOf(request).traderId });
        return `Requisite ${enabled ? "enabled" : "disabled"}.`;
      }),
  );

  app.get<{ Params: { invoiceKey: string } }>(
    `${HOME}/receipts/:invoiceKey`,
    { schema: { hide: true, params: { type: "object", properties: { invoiceKey: { type: "string", maxLength: 64 } }, required: ["invoiceKey"] } } },
    async (request, reply) => {
      return sendDownload(reply, await readReceipt(deps, { traderId: sessionOf(request).traderId }, request.params.invoiceKey), request.params.invoiceKey);
    },
  );
}
