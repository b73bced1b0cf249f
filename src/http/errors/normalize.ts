// Turns anything thrown in a request into one public error shape. Dialects only decide the envelope.
import { AppError, ERROR_CATALOGUE, type ErrorCode, IllegalTransitionError, type RefusedTransition } from "../../core/shared/errors.js";
import { HTTP_URL_FORMAT } from "../plugins/validation.js";

export interface HttpError {
  status: number;
  code: string;
  message: string;
  field?: string;
  details?: Record<string, unknown>;
  headers?: Record<string, string>;
  /** What an illegal transition tried (code illegal_transition). */
  transition?: RefusedTransition;
  /** True for unexpected errors: logged with the stack, answered with a generic 500. */
  internal: boolean;
}

interface AjvIssue {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: { missingProperty?: string; additionalProperty?: string; format?: string };
}

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  validation?: AjvIssue[];
  validationContext?: string;
  message?: string;
}

function fromCatalogue(code: ErrorCode, extra: Partial<HttpError> = {}): HttpError {
  const entry = ERROR_CATALOGUE[code];
  return { status: entry.status, code, message: entry.message, internal: false, ...extra };
}

/** `/billingAddress/zip` + missing `city` → `billingAddress.city`. */
function fieldOf(issue: AjvIssue): string | undefined {
  const base = (issue.instancePath ?? "").split("/").filter(Boolean);
  const leaf = issue.params?.missingProperty ?? issue.params?.additionalProperty;
  const parts = leaf ? [...base, leaf] : base;
  return parts.length ? parts.join(".") : undefined;
}

function describe(issue: AjvIssue, field: string | undefined): string {
  if (issue.params?.additionalProperty) return `Unknown field: ${field}`;
  if (issue.params?.missingProperty) return `Missing required field: ${field}`;
  if (issue.params?.format === HTTP_URL_FORMAT) return `Invalid value for ${field}: must be an absolute http(s) URL without credentials`;
  return field ? `Invalid value for ${field}: ${issue.message ?? "invalid"}` : `Invalid request: ${issue.message ?? "invalid"}`;
}

export function normalizeError(err: unknown): HttpError {
  if (err instanceof AppError) {
    return {
      status: err.status,
      code: err.code,
      message: err.message,
      internal: false,
      ...(err.field !== undefined ? { field: err.field } : {}),
      ...(err.details ? { details: err.details } : {}),
      ...(err.headers ? { headers: err.headers } : {}),
      ...(err instanceof IllegalTransitionError ? { transition: err.transition } : {}),
    };
  }
  const e = (err ?? {}) as FastifyLikeError;
  if (Array.isArray(e.validation) && e.validation.length > 0) {
    const issue = e.validation[0]!;
    const field = fieldOf(issue);
    return fromCatalogue("validation_failed", {
      message: describe(issue, field),
      ...(field !== undefined ? { field } : {}),
      details: { in: e.validationContext ?? "body" },
    });
  }
  switch (e.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return fromCatalogue("body_too_large");
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return fromCatalogue("unsupported_media_type");
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return fromCatalogue("invalid_json");
    case "FST_ERR_RATE_LIMITED":
      return fromCatalogue("rate_limited");
    case "FST_ERR_MAX_PARAM_LENGTH":
      return fromCatalogue("path_too_long");
    case "FST_ERR_BAD_URL":
      return fromCatalogue("invalid_url");
    default:
      break;
  }
  if (err instanceof SyntaxError) return fromCatalogue("invalid_json");
  // Framework errors with a 4xx status (bad headers, multipart limits, ...) keep their status but get
  // a generic public message: their text can describe internals.
  if (typeof e.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) {
    if (e.statusCode === 413) return fromCatalogue("body_too_large");
    if (e.statusCode === 415) return fromCatalogue("unsupported_media_type");
    if (e.statusCode === 429) return fromCatalogue("rate_limited");
    return fromCatalogue("validation_failed", { status: e.statusCode, message: "The request could not be processed." });
  }
  return { ...fromCatalogue("internal_error"), internal: true };
}
