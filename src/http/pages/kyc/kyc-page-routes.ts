// The hosted KYC page /kyc/{token}: the guided form (data, document, selfie), the status view, and a
// small JSON status endpoint the status view polls. Thin: parsing and rendering only; src/app/kyc does
// the work. Messages are the applicant's language (locales/<lang>/kyc.json).
import multipart from "@fastify/multipart";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Deps } from "../../../app/deps.js";
import { type KycUpload, kycPageView, submitKycPage } from "../../../app/kyc/kyc-page.js";
import { KYC_FILE_KINDS, KYC_MAX_FILE_BYTES, checkKycForm, type KycFileKind, type KycFormData, requiredUploads, sniffDocumentType } from "../../../core/kyc/kyc-form.js";
import { normalizeError } from "../../errors/normalize.js";
import { readMultipartForm } from "../../plugins/multipart-form.js";
import { html } from "../html.js";
import { languageSwitch, messagesForRequest } from "../i18n.js";
import { payerPageHeaders, sendPublicPage } from "../send-page.js";
import { type FormErrors, kycErrorView, kycFormView, kycStatusView } from "./kyc-page-views.js";

const TOKEN = { type: "object", properties: { token: { type: "string", pattern: "^[A-Za-z0-9_-]{16,64}$" } }, required: ["token"] } as const;
const MAX_FIELD_BYTES = 1024;


/** A form sent by the page's script asks for JSON: errors stay on the page, and so do the chosen files. */
const wantsJson = (request: FastifyRequest) => (request.headers.accept ?? "").includes("application/json");

export async function kycPageRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const pageHeaders = payerPageHeaders(deps.config.frameAncestors);
  await app.register(multipart, {
    limits: { fileSize: KYC_MAX_FILE_BYTES, files: KYC_FILE_KINDS.length, fields: 20, fieldSize: MAX_FIELD_BYTES, parts: 30, headerPairs: 100 },
  });

  // A page answers errors as a page (the token is never echoed back), or as JSON to the page's script.
  app.setErrorHandler((err, request, reply) => {
    const e = normalizeError(err);
    if (e.internal) request.log.error({ err }, "unhandled error");
    const m = messagesForRequest(request, reply, ["kyc"]);
    const message = e.code === "kyc_link_invalid" ? m.t("unavailable.invalid") : e.status === 413 ? m.t("unavailable.tooLarge") : e.message;
    if (wantsJson(request) && request.method === "POST") return reply.code(e.status).send({ message, errors: {} });
    return sendPublicPage(reply, pageHeaders, e.status, m.t("unavailable.title"), html`${languageSwitch(m, request.url)}${kycErrorView(m, message)}`, undefined, m.lang);
  });

  async function render(request: FastifyRequest, reply: FastifyReply, token: string) {
    const m = messagesForRequest(request, reply, ["kyc"]);
    const v = await kycPageView(deps, token);
    const view = v.state === "form" ? kycFormView(m, token, {}) : kycStatusView(m, token, v.state, v.redirectUrl, v.reason);
    return sendPublicPage(reply, pageHeaders, 200, m.t("title"), html`${languageSwitch(m, request.url)}${view.body}`, view.script, m.lang);
  }

  app.get<{ Params: { token: string } }>(
    "/kyc/:token",
    { schema: { tags: ["hosted pages"], summary: "Hosted KYC page (form or status)", params: TOKEN } },
    async (request, reply) => render(request, reply, request.params.token),
  );

  app.get<{ Params: { token: string } }>(
    "/kyc/:token/status",
    { schema: { tags: ["hosted pages"], summary: "Status of the KYC case behind a page link (polled by the page)", params: TOKEN } },
    async (request, reply) => {
      const v = await kycPageView(deps, request.params.token);
      return reply.header("cache-control", "no-store").send({ state: v.state });
    },
  );

  app.post<{ Params: { token: string } }>(
    "/kyc/:token",
    {
      schema: {
        tags: ["hosted pages"],
        summary: "Submit the KYC form: the data, the document front (and back, except for a passport) and a selfie; `Accept: application/json` answers errors per field",
        params: TOKEN,
      },
    },
    async (request, reply) => {
      const { fields, files } = await readMultipartForm(request); // 413 past the per-file cap
      const m = messagesForRequest(request, reply, ["kyc"]);
      const token = request.params.token;
      const required = requiredUploads(fields.documentType ?? "");
      const uploads: KycUpload[] = [];
      for (const { field, data } of files) {
        if ((required as readonly string[]).includes(field) && data.length > 0 && !uploads.some((u) => u.kind === field)) {
          uploads.push({ kind: field as KycFileKind, data });
        }
      }
      const checked = checkKycForm(fields, deps.clock.now());
      const errors: FormErrors = {};
      if (!checked.ok) for (const k of Object.keys(checked.errors) as (keyof KycFormData)[]) errors[k] = m.t(`errors.${k}`);
      if (fields.consent !== "yes") errors.consent = m.t("errors.consent");
      // Each file is named in its own error: missing, or not a PDF, PNG or JPEG by its first bytes.
      for (const kind of required) {
        const u = uploads.find((x) => x.kind === kind);
        const file = m.t(`fields.${kind}`);
        if (!u) errors[kind] = m.t("errors.fileMissing", { file });
        else if (!sniffDocumentType(u.data)) errors[kind] = m.t("errors.fileType", { file });
      }
      const refuse = async (errs: FormErrors) => {
        if (wantsJson(request)) return reply.code(400).send({ message: m.t("errors.summary"), errors: errs });
        const view = kycFormView(m, token, fields, errs);
        return sendPublicPage(reply, pageHeaders, 400, m.t("title"), html`${languageSwitch(m, request.url)}${view.body}`, view.script, m.lang);
      };
      if (!checked.ok || Object.keys(errors).length > 0) {
        await kycPageView(deps, token); // an invalid link shows the link error, not the form
        return refuse(errors);
      }
      try {
        await submitKycPage(deps, token, checked.data, uploads);
      } catch (err) {
        const e = normalizeError(err);
        if (e.code !== "validation_failed" || !e.field) throw err;
        // The types were checked above, so what is left is a file over the size cap.
        return refuse({ [e.field]: m.t("errors.fileSize", { file: m.t(`fields.${e.field}`) }) });
      }
      // Post/redirect/get: a reload does not resubmit.
      const next = `/kyc/${encodeURIComponent(token)}`;
      return wantsJson(request) ? reply.send({ next }) : reply.redirect(next, 303);
    },
  );
}
