// The one reader of multipart uploads (receipts, KYC documents, cabinet forms). The parser reports a
// malformed body (no boundary, a part cut short, a bad part header) as a plain Error, which the error
// handler would log with its stack and answer 500; here it becomes a 400 `malformed_multipart`. The
// parser's own 4xx errors (size and count limits, a `__proto__` field) keep their status. Text fields
// pass the same NUL rule as every other string the API accepts.
import type { FastifyRequest } from "fastify";
import { AppError } from "../../core/shared/errors.js";
import { refuseNul } from "./nul-guard.js";

interface MultipartForm {
  fields: Record<string, string>;
  files: { field: string; data: Buffer }[];
}

function publicError(err: unknown): unknown {
  if (err instanceof AppError) return err;
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) return err;
  // Only the body can make the parser fail here: the parts are read into memory, nothing else runs.
  return new AppError("malformed_multipart");
}

/** Reads the whole form (files into memory, bounded by the scope's multipart limits). */
export async function readMultipartForm(request: FastifyRequest, notMultipart = "Send multipart/form-data"): Promise<MultipartForm> {
  if (!request.isMultipart()) throw new AppError("unsupported_media_type", { message: notMultipart });
  const form: MultipartForm = { fields: {}, files: [] };
  try {
    for await (const part of request.parts()) {
      if (part.type === "file") form.files.push({ field: part.fieldname, data: await part.toBuffer() });
      else if (typeof part.value === "string") form.fields[part.fieldname] = part.value;
    }
  } catch (err) {
    throw publicError(err);
  }
  refuseNul(form.fields, "multipart");
  return form;
}

/** The first file sent in `field`, if any. */
export function fileIn(form: MultipartForm, field: string): Buffer | null {
  return form.files.find((f) => f.field === field)?.data ?? null;
}
