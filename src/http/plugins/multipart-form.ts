// The one reader of multipart uploads (receipts, KYC documents, cabinet forms). The parser reports a
// malformed body (no boundary, a part cut short, a bad part header) as a plain Error, which the error
// handler would log with its stack and answer 500; here it becomes a 400 `malformed_multipart`. More
// files or parts than the scope's form takes is a 400 saying so (the parser says 413, but the body is
// not too large, it has too many parts). The parser's other 4xx errors (a file over its size, a
// `__proto__` field) keep their status. Text fields
// pass the same NUL rule as every other string the API accepts. A scope that signs its uploads reads
// them whole first (bufferMultipartBodies), so the exact bytes stay in request.rawBody.
import type { FastifyInstance, FastifyRequest } from "fastify";
import { AppError } from "../../core/shared/errors.js";
import { refuseUnstorableText } from "./text-guard.js";

interface MultipartForm {
  fields: Record<string, string>;
  /** `name`: the file name the browser sent, if any (shown to the operator, never used as a path). */
  files: { field: string; data: Buffer; name: string | null }[];
}

const tooManyFiles = () => new AppError("validation_failed", { message: "Too many files for this form" });
const tooManyParts = () => new AppError("validation_failed", { message: "Too many form parts" });

function publicError(err: unknown): unknown {
  if (err instanceof AppError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (code === "FST_FILES_LIMIT") return tooManyFiles();
  if (code === "FST_PARTS_LIMIT" || code === "FST_FIELDS_LIMIT") return tooManyParts();
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) return err;
  // Only the body can make the parser fail here: the parts are read into memory, nothing else runs.
  return new AppError("malformed_multipart");
}

/** A multipart body read whole by bufferMultipartBodies: its bytes and its content type (the boundary). */
class BufferedMultipart {
  constructor(
    readonly bytes: Buffer,
    readonly contentType: string,
    readonly limits: { maxParts: number; maxFiles: number },
  ) {}
}

/**
 * For a scope whose multipart bodies must be seen as sent (request signatures over the raw bytes):
 * instead of streaming them (@fastify/multipart), Fastify reads each one whole, at most maxBytes (413
 * beyond), into request.rawBody, and readMultipartForm parses it from there.
 */
export function bufferMultipartBodies(app: FastifyInstance, limits: { maxBytes: number; maxParts: number; maxFiles: number }): void {
  app.addContentTypeParser("multipart/form-data", { parseAs: "buffer", bodyLimit: limits.maxBytes }, (request, body, done) => {
    request.rawBody = body as Buffer;
    done(null, new BufferedMultipart(body as Buffer, String(request.headers["content-type"]), limits));
  });
}

/** Whether the body is one that bufferMultipartBodies read (its fields are read with readMultipartForm). */
export const isBufferedMultipart = (body: unknown): boolean => body instanceof BufferedMultipart;

async function parseBuffered(b: BufferedMultipart): Promise<MultipartForm> {
  let parsed: FormData;
  try {
    parsed = await new Response(b.bytes, { headers: { "content-type": b.contentType } }).formData();
  } catch {
    throw new AppError("malformed_multipart");
  }
  const entries = [...parsed.entries()];
  if (entries.length > b.limits.maxParts) throw tooManyParts();
  const form: MultipartForm = { fields: Object.create(null) as Record<string, string>, files: [] };
  for (const [name, value] of entries) {
    if (typeof value === "string") form.fields[name] = value;
    else form.files.push({ field: name, data: Buffer.from(await value.arrayBuffer()), name: value.name || null });
  }
  if (form.files.length > b.limits.maxFiles) throw tooManyFiles();
  return form;
}

/** Reads the whole form (files into memory, bounded by the scope's multipart limits). */
export async function readMultipartForm(request: FastifyRequest, notMultipart = "Send multipart/form-data"): Promise<MultipartForm> {
  if (request.body instanceof BufferedMultipart) {
    const form = await parseBuffered(request.body);
    refuseUnstorableText(form.fields, "multipart");
    return form;
  }
  if (typeof request.isMultipart !== "function" || !request.isMultipart()) throw new AppError("unsupported_media_type", { message: notMultipart });
  const form: MultipartForm = { fields: {}, files: [] };
  try {
    for await (const part of request.parts()) {
      if (part.type === "file") form.files.push({ field: part.fieldname, data: await part.toBuffer(), name: part.filename || null });
      else if (typeof part.value === "string") form.fields[part.fieldname] = part.value;
    }
  } catch (err) {
    throw publicError(err);
  }
  refuseUnstorableText(form.fields, "multipart");
  return form;
}

/** The first file sent in `field`, if any. */
export function fileIn(form: MultipartForm, field: string): Buffer | null {
  return form.files.find((f) => f.field === field)?.data ?? null;
}
