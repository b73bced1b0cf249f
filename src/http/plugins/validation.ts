// Body validation never coerces or strips: the JSON number 2500 must not become "2500" and unknown
// fields must be refused, not silently dropped. Query strings and path params arrive as text, so
// those parts do coerce (a `limit=10` query must validate as an integer).
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { httpUrlProblem, MAX_URL_LENGTH } from "../../core/shared/http-url.js";
import { storableDate } from "../../core/shared/instant.js";

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
  holdDatesToStorableYears(ajv);
  return ajv;
}

/**
 * ajv-formats' date and date-time, also held to the years PostgreSQL stores (core/shared/instant.ts):
 * they accept 0000-01-01, which reached a query and failed there (a 500).
 */
function holdDatesToStorableYears(ajv: Ajv): void {
  for (const name of ["date", "date-time"] as const) {
    const iso = ajv.formats[name] as { validate: (s: string) => boolean; compare: (a: string, b: string) => number | undefined };
    const asDate = name === "date" ? (s: string) => new Date(`${s}T00:00:00Z`) : (s: string) => new Date(s);
    ajv.addFormat(name, { type: "string", validate: (s: string) => iso.validate(s) && storableDate(asDate(s)), compare: iso.compare });
  }
}

/**
 * Each route part's validator is compiled on the part's first request, not when the app is built:
 * compiling all of them took ~5 s of CPU on a loaded 2-core machine, paid by every start of the
 * gateway and every test harness, most of whose routes never see a request. A first request pays a
 * few milliseconds once. Every schema still compiles in the tests: openapi-examples.test.ts compiles
 * each body schema with requestAjv, and openapi-fuzz.test.ts sends requests to every operation.
 */
export function installValidation(app: FastifyInstance): void {
  const bodyAjv = requestAjv("body");
  const textAjv = requestAjv("text");
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const ajv = httpPart === "body" ? bodyAjv : textAjv;
    let compiled: ValidateFunction | undefined;
    // Fastify reads a refusal's reasons from the function it was given, so they are copied onto it.
    const validate = (data: unknown): boolean => {
      compiled ??= ajv.compile(schema as object);
      const ok = compiled(data) as boolean;
      validate.errors = compiled.errors;
      return ok;
    };
    validate.errors = null as ValidateFunction["errors"];
    return validate;
  });
}
