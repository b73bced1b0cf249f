// The hosted KYC page /kyc/{token}: the form with three uploads, the status view, and a small JSON
// status endpoint the status view polls. Thin: parsing and rendering only; src/app/kyc does the work.
import multipart from "@fastify/multipart";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { Deps } from "../../../app/deps.js";
import { type KycUpload, kycPageView, submitKycPage } from "../../../app/kyc/kyc-page.js";
import { KYC_FILE_KINDS, KYC_MAX_FILE_BYTES, checkKycForm, type KycFileKind } from "../../../core/kyc/kyc-form.js";
import { AppError } from "../../../core/shared/errors.js";
import { normalizeError } from "../../errors/normalize.js";
import { readMultipartForm } from "../../plugins/multipart-form.js";
import { payerPageHeaders, sendPublicPage } from "../send-page.js";
import { type FormErrors, kycErrorView, kycFormView, kycStatusView } from "./kyc-page-views.js";

const TOKEN = { type: "object", properties: { token: { type: "string", pattern: "^[A-Za-z0-9_-]{16,64}$" } }, required: ["token"] } as const;
const MAX_FIELD_BYTES = 1024;


export async function kycPageRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const pageHeaders = payerPageHeaders(deps.config.frameAncestors);
  await app.register(multipart, {
    limits: { fileSize: KYC_MAX_FILE_BYTES, files: KYC_FILE_KINDS.length, fields: 20, fieldSize: MAX_FIELD_BYTES, parts: 30, headerPairs: 100 },
  });

  // A page answers errors as a page (the token is never echoed back).
  app.setErrorHandler((err, request, reply) => {
    const e = normalizeError(err);
    if (e.internal) request.log.error({ err }, "unhandled error");
    return sendPublicPage(reply, pageHeaders, e.status, "Verification", kycErrorView(e.code === "kyc_link_invalid" ? e.message : e.status === 413 ? "A file is larger than 5 MB." : e.message));
  });

  async function render(reply: FastifyReply, token: string, status = 200) {
    const v = await kycPageView(deps, token);
    if (v.state === "form") return sendPublicPage(reply, pageHeaders, status, "Verify your identity", kycFormView(token, {}));
    const s = kycStatusView(token, v.state, v.redirectUrl, v.reason);
    return sendPublicPage(reply, pageHeaders, status, "Verification", s.body, s.script);
  }

  app.get<{ Params: { token: string } }>(
    "/kyc/:token",
    { schema: { tags: ["hosted pages"], summary: "Hosted KYC page (form or status)", params: TOKEN } },
    async (request, reply) => render(reply, request.params.token),
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
    { schema: { tags: ["hosted pages"], summary: "Submit the KYC form with the document front, back and a selfie", params: TOKEN } },
    async (request, reply) => {
      const { fields, files } = await readMultipartForm(request); // 413 past the per-file cap
      const uploads: KycUpload[] = [];
      for (const { field, data } of files) {
        if ((KYC_FILE_KINDS as readonly string[]).includes(field) && data.length > 0 && !uploads.some((u) => u.kind === field)) {
          uploads.push({ kind: field as KycFileKind, data });
        }
      }
      const token = request.params.token;
      const checked = checkKycForm(fields, deps.clock.now());
      const errors: FormErrors = checked.ok ? {} : { ...checked.errors };
      if (uploads.length !== KYC_FILE_KINDS.length) errors.files = "Upload the document front, the document back and a selfie.";
      if (!checked.ok || errors.files) {
        await kycPageView(deps, token); // an invalid link shows the link error, not the form
        return sendPublicPage(reply, pageHeaders, 400, "Verify your identity", kycFormView(token, fields, errors));
      }
      try {
        await submitKycPage(deps, token, checked.data, uploads);
      } catch (err) {
        const e = normalizeError(err);
        if (e.code !== "validation_failed" || !e.field) throw err;
        return sendPublicPage(reply, pageHeaders, 400, "Verify your identity", kycFormView(token, fields, { files: e.message }));
      }
      // Post/redirect/get: a reload does not resubmit.
      return reply.redirect(`/kyc/${encodeURIComponent(token)}`, 303);
    },
  );
}
