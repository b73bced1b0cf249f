// Routes of the hosted payer page: the page, its small JSON status endpoint, and the receipt upload
// that opens a dispute on the payer's behalf. The pay-in id (an unguessable UUID) is the only key.
import multipart from "@fastify/multipart";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { Deps } from "../../../app/deps.js";
import { openDispute } from "../../../app/trading/disputes.js";
import { getPayinForPayer, payinObject } from "../../../app/trading/queries.js";
import { MAX_RECEIPT_BYTES, uploadReceipt } from "../../../app/trading/receipts.js";
import { AppError } from "../../../core/shared/errors.js";
import { parseFiatAmount } from "../../../core/trading/fiat-amount.js";
import { installErrorHandling, renderDefaultError } from "../../errors/error-handling.js";
import { fileIn, readMultipartForm } from "../../plugins/multipart-form.js";
import { html } from "../html.js";
import { languageSwitch, messagesForRequest } from "../i18n.js";
import { page } from "../layout.js";
import { payerPageHeaders } from "../send-page.js";
import { renderPayPage } from "./pay-page.js";
import { isUuid } from "../../../core/shared/uuid.js";

const Id = Type.Object({ id: Type.String({ maxLength: 64 }) });

export async function payPageRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const pageHeaders = payerPageHeaders(deps.config.frameAncestors);
  installErrorHandling(app, renderDefaultError);
  await app.register(multipart, { limits: { fileSize: MAX_RECEIPT_BYTES, files: 1, fields: 4, fieldSize: 256, parts: 5 } });

  app.get("/pay/:id", { schema: { hide: true, params: Id } }, async (request, reply) => {
    const send = (status: number, body: string) =>
      reply.code(status).headers(pageHeaders).type("text/html; charset=utf-8").send(body);
    const m = messagesForRequest(request, reply, ["pay"]);
    const notFound = () =>
      send(404, page(m.t("notFound.title"), html`${languageSwitch(m, request.url)}<div class="card"><h1>${m.t("notFound.payment")}</h1></div>`, { lang: m.lang }));
    if (!isUuid(request.params.id)) return notFound();
    let obj;
    try {
      obj = await payinObject(deps, await getPayinForPayer(deps, request.params.id));
    } catch (err) {
      if (err instanceof AppError && err.code === "not_found") return notFound();
      throw err;
    }
    // Anti-fraud hint from the merchant: a different IP is a risk signal to log, never a block.
    const expectedIp = (obj.extra as { payerInfo?: { ip?: unknown } } | null)?.payerInfo?.ip;
    if (typeof expectedIp === "string" && expectedIp !== request.ip) {
      request.log.warn({ payinId: obj.id, risk: "payer_ip_mismatch" }, "payer page opened from another IP than payerInfo.ip");
    }
    return send(200, renderPayPage(obj, deps.clock.now()));
  });

  app.get(
    "/pay/:id/status",
    {
      schema: {
        tags: ["pages"],
        summary: "Payer page status poll",
        params: Id,
        response: { 200: Type.Object({ status: Type.String(), expiresAt: Type.String(), serverNow: Type.String() }) },
      },
    },
    async (request, reply) => {
      if (!isUuid(request.params.id)) throw new AppError("not_found");
      const p = await getPayinForPayer(deps, request.params.id);
      void reply.header("cache-control", "no-store");
      return { status: p.status, expiresAt: p.expires_at.toISOString(), serverNow: deps.clock.now().toISOString() };
    },
  );

  app.post(
    "/pay/:id/receipt",
    { schema: { tags: ["pages"], summary: "Payer uploads a receipt and the amount sent: opens a dispute", consumes: ["multipart/form-data"], params: Id } },
    async (request) => {
      if (!isUuid(request.params.id)) throw new AppError("not_found");
      const form = await readMultipartForm(request);
      const file = fileIn(form, "file");
      const amount = form.fields.fiatAmount ?? null;
      if (!file) throw new AppError("validation_failed", { field: "file", message: "Choose your receipt file" });
      const fiatMinor = parseFiatAmount(amount);
      if (fiatMinor === null) throw new AppError("validation_failed", { field: "fiatAmount", message: "Enter the amount you sent" });
      const { invoiceKey } = await uploadReceipt(deps, { kind: "payer" }, request.params.id, file);
      const p = await openDispute(deps, { kind: "payer" }, request.params.id, { invoiceKey, fiatMinor, comment: null });
      return { status: p.status };
    },
  );
}
