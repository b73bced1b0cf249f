// Body validation never coerces or strips: the JSON number 2500 must not become "2500" and unknown
// fields must be refused, not silently dropped. Query strings and path params arrive as text, so
// those parts do coerce (a `limit=10` query must validate as an integer).
import { Ajv } from "ajv";
import addFormatsModule from "ajv-formats";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { httpUrlProblem, MAX_URL_LENGTH } from "../../core/shared/http-url.js";

// ajv-formats ships CommonJS with a default export; under NodeNext it arrives wrapped.
const addFormats = (addFormatsModule as unknown as { default: typeof addFormatsModule }).default ?? addFormatsModule;

/** The format of every URL a request registers (core/shared/http-url.ts); errors name it. */
export const HTTP_URL_FORMAT = "http-url";
export const HttpUrl = Type.String({ format: HTTP_URL_FORMAT, maxLength: MAX_URL_LENGTH });

/** The validator of one request part: a body is never coerced, text parts (query, params, headers) are. */
export function requestAjv(part: "body" | "text"): Ajv {
  const ajv = new Ajv({ removeAdditional: false, useDefaults: true, allErrors: false, strict: false, coerceTypes: part === "body" ? false : "array" });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  ajv.addFormat(HTTP_URL_FORMAT, { type: "string", validate: (s: string) => httpUrlProblem(s) === null });
  return ajv;
}

export function installValidation(app: FastifyInstance): void {
  const bodyAjv = requestAjv("body");
  const textAjv = requestAjv("text");
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === "body" ? bodyAjv : textAjv).compile(schema as object) as never,
  );
}
