// The trader cabinet at /cabinet: sign in with a trader key (rtr_...), then one page with open pay-ins
// to confirm, disputes to review and answer, requisites and the deposit, in the trader's language,
// kept current by /cabinet/events (cabinet-live.ts) and /cabinet/live (the lists alone). Every action calls the same
// use case as the trader API (/trader/v1). The session is checked on onRequest, before any body
// (a receipt upload) is read; the CSRF field is checked once the body is parsed.
import multipart from "@fastify/multipart";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Deps } from "../../../app/deps.js";
import { traderAnswerWithReceipt, traderOpenReview } from "../../../app/trading/disputes.js";
import { traderConfirmPayin } from "../../../app/trading/payin-lifecycle.js";
import { MAX_RECEIPT_BYTES, readReceipt } from "../../../app/trading/receipts.js";
import { disputesForTrader, openPayinsForTrader } from "../../../app/trading/support-queries.js";
import { traderDepositAddress } from "../../../app/trading/deposit-address.js";
import { switchRequisite, traderOverview } from "../../../app/trading/trader-overview.js";
import { TRADER_SESSION_TTL_MS, signInTrader, traderCsrfToken, traderCsrfValid, verifyTraderSession } from "../../../app/trading/trader-session.js";
import { AppError } from "../../../core/shared/errors.js";
import { parseTypedFiatAmount } from "../../../core/trading/fiat-amount.js";
import { readMultipartForm } from "../../plugins/multipart-form.js";
import { readCookie, sessionCookie } from "../cookies.js";
import { html } from "../html.js";
import { messagesForRequest, type Messages } from "../i18n.js";
import { backTo, sendDownload, sendPrivatePage } from "../send-page.js";
import { cabinetLiveStreams } from "./cabinet-live.js";
import { cabinetBody, cabinetLists, cabinetLoginForm, cabinetScript, type CabinetView } from "./cabinet-page.js";
import { principalOf } from "../../plugins/principal.js";
import { UUID_PATTERN } from "../../../core/shared/uuid.js";

const COOKIE = "rampart_trader";
const HOME = "/cabinet";
const idParams = { type: "object", properties: { id: { type: "string", pattern: UUID_PATTERN } }, required: ["id"] } as const;

const sessionOf = (r: FastifyRequest) => principalOf(r, "trader_session");
const messages = (request: FastifyRequest, reply: FastifyReply) => messagesForRequest(request, reply, ["cabinet"]);

/**
 * POST → redirect → GET with a notice named by a catalogue key (`?ok=confirmed`), so the notice is
 * shown in the trader's language; a refusal names its error code (`?error=illegal_transition`).
 */
async function cabinetAction(reply: FastifyReply, action: () => Promise<string>) {
  try {
    return reply.redirect(backTo(HOME, { ok: await action() }), 303);
  } catch (err) {
    if (err instanceof AppError && err.status < 500) return reply.redirect(backTo(HOME, { error: err.field === "fiatAmount" ? "amount" : err.code }), 303);
    throw err;
  }
}

const ERROR_KEYS: Record<string, string> = {
  illegal_transition: "errors.illegal_transition",
  not_found: "errors.not_found",
  amount: "errors.amount",
  unsupported_media_type: "errors.file",
  body_too_large: "errors.file",
};

function notice(m: Messages, query: Record<string, string | undefined>) {
  const ok = query.ok && /^[a-zA-Z]{1,32}$/.test(query.ok) ? m.t(`flash.${query.ok}`, { defaultValue: "" }) : "";
  const error = query.error ? m.t(ERROR_KEYS[query.error] ?? "errors.generic") : "";
  if (error) return html`<p class="card error" role="alert">${error}</p>`;
  return ok ? html`<p class="card notice" role="status">${ok}</p>` : "";
}

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
      const m = messages(request, reply);
      return sendPrivatePage(reply, 403, m.t("formExpired"), html`<p class="card error">${m.t("formExpired")} <a href="${HOME}">${m.t("reload")}</a></p>`, { lang: m.lang });
    }
  });

  app.get(`${HOME}/login`, { schema: { hide: true } }, async (request, reply) => {
    const m = messages(request, reply);
    return sendPrivatePage(reply, 200, m.t("login.title"), cabinetLoginForm(m, request.url), { lang: m.lang });
  });

  app.post<{ Body: { key?: unknown } }>(`${HOME}/login`, { schema: { hide: true } }, async (request, reply) => {
    try {
      const key = request.body?.key;
      const { token } = await signInTrader(deps, typeof key === "string" ? key : undefined);
      return reply.header("set-cookie", cookie(token, TRADER_SESSION_TTL_MS / 1000)).redirect(HOME, 303);
    } catch (err) {
      if (err instanceof AppError && err.code === "unauthorized") {
        const m = messages(request, reply);
        return sendPrivatePage(reply, 401, m.t("login.title"), cabinetLoginForm(m, `${HOME}/login`, m.t("login.invalid")), { lang: m.lang });
      }
      throw err;
    }
  });

  app.post(`${HOME}/logout`, { schema: { hide: true } }, async (_req, reply) => reply.header("set-cookie", cookie("", 0)).redirect(`${HOME}/login`, 303));

  const view = async (request: FastifyRequest): Promise<CabinetView> => {
    const { token, traderId } = sessionOf(request);
    const [trader, open, disputes] = await Promise.all([
      traderOverview(deps, traderId),
      openPayinsForTrader(deps, traderId),
      disputesForTrader(deps, traderId),
    ]);
    return { trader, open, disputes, csrf: traderCsrfToken(deps, token), depositAddress: null };
  };

  app.get<{ Querystring: Record<string, string> }>(HOME, { schema: { hide: true } }, async (request, reply) => {
    const m = messages(request, reply);
    const v = await view(request);
    // The whole page (not the live lists) shows the on-chain deposit address, when the platform takes deposits
    // on chain from this trader (never from a test one: traderDepositAddress).
    if (deps.ports.chainDeposits && !v.trader.test) v.depositAddress = await traderDepositAddress(deps, v.trader.id);
    const body = cabinetBody(v, m, request.url, notice(m, request.query ?? {}));
    return sendPrivatePage(reply, 200, `${m.t("title")} · Rampart`, body, { lang: m.lang, script: cabinetScript(deps.clock.now(), m.lang) });
  });

  // The open and dispute lists alone, for the page to swap in when the event stream says "changed".
  app.get(`${HOME}/live`, { schema: { hide: true } }, async (request, reply) => {
    const m = messages(request, reply);
    return reply.header("cache-control", "no-store").type("text/html; charset=utf-8").send(cabinetLists(await view(request), m).value);
  });

  const streamTraderChanges = cabinetLiveStreams(app, deps);
  app.get(`${HOME}/events`, { schema: { hide: true } }, async (request, reply) => streamTraderChanges(request, reply, sessionOf(request).traderId));

  app.post<{ Params: { id: string } }>(`${HOME}/pay-ins/:id/confirm`, { schema: { hide: true, params: idParams } }, async (request, reply) =>
    cabinetAction(reply, async () => {
      await traderConfirmPayin(deps, sessionOf(request).traderId, request.params.id);
      return "confirmed";
    }),
  );

  app.post<{ Params: { id: string } }>(`${HOME}/pay-ins/:id/review`, { schema: { hide: true, params: idParams } }, async (request, reply) =>
    cabinetAction(reply, async () => {
      await traderOpenReview(deps, sessionOf(request).traderId, request.params.id);
      return "reviewOpened";
    }),
  );

  app.post<{ Params: { id: string }; Body: { fiatAmount?: unknown; file?: unknown } }>(
    `${HOME}/pay-ins/:id/answer`,
    { schema: { hide: true, params: idParams } },
    async (request: FastifyRequest<{ Params: { id: string }; Body: { fiatAmount?: unknown; file?: unknown } }>, reply: FastifyReply) =>
      cabinetAction(reply, async () => {
        const { traderId } = sessionOf(request);
        // As the trader types it: "5 000,00" and "5000.00" alike.
        const fiatMinor = parseTypedFiatAmount(request.body?.fiatAmount);
        if (fiatMinor === null) throw new AppError("validation_failed", { field: "fiatAmount", message: "Enter the amount that arrived, e.g. 5000.00" });
        const file = request.body?.file;
        await traderAnswerWithReceipt(deps, traderId, request.params.id, Buffer.isBuffer(file) && file.length > 0 ? file : null, fiatMinor);
        return "answered";
      }),
  );

  app.post<{ Params: { id: string }; Body: { enabled?: unknown } }>(
    `${HOME}/requisites/:id/switch`,
    { schema: { hide: true, params: idParams } },
    async (request, reply) =>
      cabinetAction(reply, async () => {
        const enabled = request.body?.enabled === "true";
        await switchRequisite(deps, { requisiteId: request.params.id, enabled, traderId: sessionOf(request).traderId });
        return enabled ? "enabled" : "disabled";
      }),
  );

  app.get<{ Params: { invoiceKey: string }; Querystring: { inline?: string } }>(
    `${HOME}/receipts/:invoiceKey`,
    { schema: { hide: true, params: { type: "object", properties: { invoiceKey: { type: "string", maxLength: 64 } }, required: ["invoiceKey"] } } },
    async (request, reply) => {
      const file = await readReceipt(deps, { traderId: sessionOf(request).traderId }, request.params.invoiceKey);
      // The inline preview is for images only (sniffed at upload): a PDF is always a download.
      if (request.query.inline === "1" && (file.contentType === "image/png" || file.contentType === "image/jpeg")) {
        return reply
          .header("content-type", file.contentType)
          .header("x-content-type-options", "nosniff")
          .header("content-security-policy", "default-src 'none'")
          .header("cache-control", "no-store")
          .send(file.data);
      }
      return sendDownload(reply, file, request.params.invoiceKey);
    },
  );
}
