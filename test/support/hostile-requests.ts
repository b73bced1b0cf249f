// Generators of hostile requests for one operation of the served OpenAPI document: bodies shaped by
// the operation's schema with hostile leaves (wrong types, NUL, 1 MB strings, lone surrogates,
// `__proto__` keys), raw bodies that are not what they claim (bad JSON, deep nesting, wrong content
// types, broken multipart), hostile query strings, path parameters and headers.
import fc from "fast-check";

type Schema = Record<string, any>;

export interface Operation {
  method: string;
  path: string;
  operation: Schema;
}

export interface HostileRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
}

const ONE_MB = "x".repeat(1 << 20);
const DEEP_JSON = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;

const nastyStrings = fc.constantFrom(
  "\u0000",
  "a\u0000b",
  "' OR '1'='1",
  "'; DROP TABLE merchants; --",
  "../../../etc/passwd",
  "%00",
  "__proto__",
  "constructor",
  "1e309",
  "-1",
  "-0",
  "NaN",
  "Infinity",
  "0x10",
  "9".repeat(400),
  "\ud800",
  "\udfff\ud800",
  "<script>alert(1)</script>",
  "${7*7}",
  " ",
  "",
  "\r\n",
  "\u202e\u0000\uffff",
  // Dates JavaScript holds and PostgreSQL does not (no year 0, no year past 9999 as ISO text).
  "0000-01-01",
  "0000-01-01T00:00:00Z",
  "-271821-04-20T00:00:00.000Z",
  "2026-02-30",
);

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: nastyStrings },
  { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }).map((s) => `${s}\u0000`) },
  { weight: 1, arbitrary: fc.constant(ONE_MB) },
);

const hostileKey = fc.oneof(fc.constantFrom("__proto__", "constructor", "prototype", "toString", "a\u0000", ""), fc.string({ maxLength: 8 }));

/** Any JSON value, hostile-leaning, at most a few levels deep. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    hostileString,
    fc.integer(),
    fc.constantFrom(1e308, -1e308, 2 ** 53 + 1, -0, 0.1, 1e-320, Number.MAX_SAFE_INTEGER),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(hostileKey, tie("value"), { maxKeys: 3 }),
  ),
})).value;

/** Fixture values (real ids, keys of this test's tenants) for properties and path parameters by name. */
export type Known = Record<string, string | number>;

function plausibleString(schema: Schema): fc.Arbitrary<string> {
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as string[]));
  if (schema.const !== undefined) return fc.constant(String(schema.const));
  switch (schema.format) {
    case "uuid":
      return fc.uuid();
    case "date-time":
      return fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) }).map((d) => d.toISOString());
    case "date":
      return fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) }).map((d) => d.toISOString().slice(0, 10));
    case "email":
      return fc.emailAddress();
    case "uri":
      return fc.constantFrom("https://example.com/hook", "http://user:pw@example.com/", "ftp://example.com", "https://127.0.0.1/x");
    default:
      break;
  }
  if (typeof schema.pattern === "string") {
    try {
      return fc.stringMatching(new RegExp(schema.pattern));
    } catch {
      // a pattern fast-check cannot invert: fall through
    }
  }
  return fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom("100", "10.50", "EUR", "USDT", "card", "SBER", "RUB", "+447700900123"));
}

/** Values shaped by `schema`, each leaf hostile now and then, so requests get past the first field. */
export function fromSchema(schema: Schema | undefined, known: Known, name?: string, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return hostileValue;
  const fixture = name !== undefined && known[name] !== undefined ? [{ weight: 3, arbitrary: fc.constant(known[name]) }] : [];
  let shaped: fc.Arbitrary<unknown>;
  const variants = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  const type = Array.isArray(schema.type) ? schema.type.find((t: string) => t !== "null") : schema.type;
  if (variants?.length) shaped = fc.oneof(...variants.map((v) => fromSchema(v, known, name, depth + 1)));
  else if (type === "object" || schema.properties) {
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    const required = new Set<string>(schema.required ?? []);
    const model = Object.fromEntries(Object.entries(props).map(([k, s]) => [k, fromSchema(s, known, k, depth + 1)]));
    shaped = fc
      .tuple(
        fc.record(model, { requiredKeys: Object.keys(props).filter((k) => required.has(k)) }),
        fc.option(fc.dictionary(hostileKey, hostileValue, { maxKeys: 2 }), { freq: 6 }),
      )
      .map(([base, extra]) => (extra ? { ...extra, ...base } : base));
  } else if (type === "array") shaped = fc.array(fromSchema(schema.items as Schema, known, undefined, depth + 1), { maxLength: 3 });
  else if (type === "string") shaped = plausibleString(schema);
  else if (type === "integer") shaped = fc.oneof(fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1_000_000 }), fc.integer());
  else if (type === "number") shaped = fc.double({ noNaN: true, noDefaultInfinity: true });
  else if (type === "boolean") shaped = fc.boolean();
  else shaped = hostileValue;
  return fc.oneof({ weight: 6, arbitrary: shaped }, { weight: 1, arbitrary: hostileValue }, ...fixture);
}

/** Percent-encodes every byte of the UTF-8 text (lone surrogates become U+FFFD, as a client would send). */
export function pct(s: string): string {
  return [...Buffer.from(s, "utf8")].map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, "0")}`)).join("");
}

const text = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v) ?? "");

interface Body {
  contentType?: string;
  payload?: string | Buffer;
}

const badBodies: fc.Arbitrary<Body> = fc.oneof(
  fc.constantFrom<Body>(
    { contentType: "application/json", payload: "{" },
    { contentType: "application/json", payload: '{"a":' },
    { contentType: "application/json", payload: "nul" },
    { contentType: "application/json", payload: "\u0000" },
    { contentType: "application/json", payload: '"\\u0000"' },
    { contentType: "application/json", payload: '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}' },
    { contentType: "application/json", payload: DEEP_JSON },
    { contentType: "application/json", payload: '{"a":"\\ud800"}' },
    { contentType: "application/json; charset=latin1", payload: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]) },
    { contentType: "application/json", payload: `{"a":"${ONE_MB}"}` },
    { contentType: "text/plain", payload: "hello" },
    { contentType: "application/xml", payload: "<a>1</a>" },
    { contentType: "application/octet-stream", payload: Buffer.from([0, 1, 2, 255]) },
    { contentType: "application/x-www-form-urlencoded", payload: "a=1&__proto__[x]=1&b=%00&c=%ff" },
    { contentType: "multipart/form-data", payload: "no boundary" },
    { contentType: "multipart/form-data; boundary=x", payload: "garbage" },
    { contentType: "multipart/form-data; boundary=x", payload: '--x\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\ncut short' },
    { contentType: "multipart/form-data; boundary=x", payload: "--x\r\nbroken header\r\n\r\nvalue\r\n--x--\r\n" },
    { contentType: "multipart/form-data; boundary=x", payload: '--x\r\nContent-Disposition: form-data; name="__proto__"\r\n\r\n1\r\n--x--\r\n' },
    { contentType: "multipart/form-data; boundary=x", payload: '--x\r\nContent-Disposition: form-data; name="fiatAmount"\r\n\r\n1\u0000\r\n--x--\r\n' },
    { contentType: "multipart/form-data; boundary=x", payload: `--x\r\nContent-Disposition: form-data; name="f"\r\n\r\n${"y".repeat(5000)}\r\n--x--\r\n` },
    {},
  ),
  fc.record({ contentType: fc.constantFrom("application/json", "text/html", "", "application/json; charset=utf-16"), payload: hostileString }),
);

function bodyFor(op: Operation, known: Known): fc.Arbitrary<Body> {
  const content = op.operation.requestBody?.content as Record<string, { schema?: Schema }> | undefined;
  const form = content?.["application/x-www-form-urlencoded"];
  const json = content?.["application/json"] ?? (form ? undefined : { schema: undefined });
  const shaped: fc.Arbitrary<Body>[] = [];
  if (json) shaped.push(fromSchema(json.schema, known).map((v) => ({ contentType: "application/json", payload: JSON.stringify(v) ?? "null" })));
  if (form?.schema?.properties) {
    const props = form.schema.properties as Record<string, Schema>;
    const model = Object.fromEntries(Object.keys(props).map((k) => [k, fc.oneof(plausibleString(props[k]!), hostileString)]));
    shaped.push(
      fc.record(model, { requiredKeys: [] }).map((v) => ({
        contentType: "application/x-www-form-urlencoded",
        payload: Object.entries(v).map(([k, x]) => `${pct(k)}=${pct(text(x))}`).join("&"),
      })),
    );
  }
  return fc.oneof({ weight: 3, arbitrary: fc.oneof(...shaped) }, { weight: 2, arbitrary: badBodies });
}

function queryFor(op: Operation, known: Known): fc.Arbitrary<string> {
  const params = ((op.operation.parameters ?? []) as Schema[]).filter((p) => p.in === "query");
  const one = params.map((p) =>
    fc.option(
      fc.oneof(fromSchema(p.schema, known, p.name), fc.array(hostileString, { minLength: 2, maxLength: 2 })).map((v) =>
        Array.isArray(v) ? v.map((x) => `${pct(p.name)}=${pct(text(x))}`).join("&") : `${pct(p.name)}=${pct(text(v))}`,
      ),
      { freq: 3 },
    ),
  );
  const extra = fc.option(fc.constantFrom("__proto__=1", "__proto__[admin]=1", "constructor[prototype][x]=1", "a[b][c]=d", "%00=%00", "limit=1&limit=2"), { freq: 4 });
  return fc.tuple(fc.tuple(...one), extra).map(([parts, x]) => {
    const q = [...parts, x].filter((s): s is string => typeof s === "string" && s.length > 0).join("&");
    return q ? `?${q}` : "";
  });
}

function pathFor(op: Operation, known: Known): fc.Arbitrary<string> {
  const names = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const values = names.map((n) =>
    fc.oneof(
      ...(known[n] !== undefined ? [{ weight: 3, arbitrary: fc.constant(String(known[n])) }] : []),
      { weight: 1, arbitrary: fc.uuid() },
      { weight: 2, arbitrary: hostileString.filter((s) => s.length > 0 && s.length < 5000) },
    ),
  );
  return fc.tuple(...values).map((vs) => names.reduce((p, n, i) => p.replace(`{${n}}`, pct(vs[i]!)), op.path));
}

const headerValue = fc.oneof(
  fc.constantFrom("\u0000", "a\u0000b", "x".repeat(8000), "' OR 1=1", "../..", "-1", "", " "),
  fc.string({ unit: "grapheme-ascii", maxLength: 40 }).filter((s) => !/[\r\n]/.test(s)),
);

// An Idempotency-Key value repeated across requests makes the later ones wait (up to 5 s) for a claim
// still in flight: each request gets its own key, hostile in form.
const hostileHeaders: fc.Arbitrary<Record<string, string>> = fc
  .tuple(
    fc.dictionary(fc.constantFrom("idempotency-key", "x-signature", "x-request-id", "x-version", "accept", "accept-encoding", "x-forwarded-for", "cookie", "x-http-method-override"), headerValue, { maxKeys: 3 }),
    fc.integer({ min: 0, max: 2 ** 30 }),
  )
  .map(([h, n]) => (h["idempotency-key"] !== undefined ? { ...h, "idempotency-key": `${h["idempotency-key"]}${n}` } : { ...h }));

/** A hostile request for `op`; `credentials` are the valid headers of its security scheme. */
export function hostileRequest(op: Operation, known: Known, credentials: Record<string, string>): fc.Arbitrary<HostileRequest> {
  const hasBody = ["POST", "PUT", "PATCH", "DELETE"].includes(op.method);
  return fc
    .record({
      path: pathFor(op, known),
      query: queryFor(op, known),
      headers: hostileHeaders,
      body: hasBody ? bodyFor(op, known) : fc.constant<Body>({}),
    })
    .map(({ path, query, headers, body }) => ({
      method: op.method,
      url: `${path}${query}`,
      headers: { ...headers, ...credentials, ...(body.contentType !== undefined ? { "content-type": body.contentType } : {}) },
      ...(body.payload !== undefined ? { payload: body.payload } : {}),
    }));
}
