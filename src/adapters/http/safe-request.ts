// Outgoing HTTP for webhooks and IPN, hardened against SSRF and slow receivers: http(s) only; the
// address actually connected to is checked (a custom DNS lookup vets every resolved IP at connect
// time, so a name that resolves to 127.0.0.1 or flips after a first check is refused; IP literals,
// which skip DNS, are checked up front); one total timeout; redirects are returned, never followed;
// the response body is read up to a cap. Network outcomes are results, never exceptions.
import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { isIP } from "node:net";
import { isBlockedAddress } from "../../core/shared/address-guard.js";

export const RESPONSE_BODY_CAP_BYTES = 64 * 1024;
const DEFAULT_TIMEOUT_MS = 10_000;

interface SafeRequest {
  method: "GET" | "POST";
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** From config.allowPrivateWebhooks; there is no allow-list. */
  allowPrivate: boolean;
  timeoutMs?: number;
}

type SafeResponse =
  | {
      kind: "response";
      status: number;
      headers: http.IncomingHttpHeaders;
      /** At most RESPONSE_BODY_CAP_BYTES of the body; `truncated` says the receiver sent more. */
      body: string;
      truncated: boolean;
      latencyMs: number;
    }
  | { kind: "error"; error: string; latencyMs: number };

export class BlockedAddressError extends Error {
  readonly code = "EBLOCKEDADDRESS";
}

/**
 * dns.lookup, but refusing any blocked address it resolves to. Given to the socket's connect, it vets
 * the address of every new connection, so a pooled (keep-alive) connection was vetted when it opened.
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, "", 0);
      const list = addresses as dns.LookupAddress[];
      const bad = allowPrivate ? undefined : list.find((a) => isBlockedAddress(a.address));
      if (bad) return callback(new BlockedAddressError(`address ${bad.address} of ${hostname} is not allowed`), "", 0);
      if (list.length === 0) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: "ENOTFOUND" }), "", 0);
      if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

/**
 * The checks made before any connection: http(s) only, no credentials, and an IP literal vetted here
 * (a literal skips DNS, so the guarded lookup never sees it). Returns the parsed URL or the refusal.
 */
export function checkTarget(raw: string, allowPrivate: boolean): { url: URL } | { error: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { error: "invalid URL" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return { error: `scheme ${url.protocol} not allowed` };
  if (url.username || url.password) return { error: "credentials in URL not allowed" };
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  if (isIP(host) && !allowPrivate && isBlockedAddress(host)) return { error: `address ${host} is not allowed` };
  return { url };
}

export function safeRequest(req: SafeRequest): Promise<SafeResponse> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  const target = checkTarget(req.url, req.allowPrivate);
  if ("error" in target) return Promise.resolve({ kind: "error", error: target.error, latencyMs: 0 });
  const { url } = target;
  const body = req.body === undefined ? undefined : Buffer.from(req.body, "utf8");
  const lib = url.protocol === "https:" ? https : http;
  return new Promise<SafeResponse>((resolve) => {
    let settled = false;
    const finish = (r: SafeResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    let request: http.ClientRequest;
    try {
      request = lib.request(
        url,
        {
          method: req.method,
          headers: { ...req.headers, ...(body ? { "content-length": String(body.length) } : {}), connection: "close" },
          lookup: guardedLookup(req.allowPrivate),
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          const done = () =>
            finish({
              kind: "response",
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString("utf8"),
              truncated: size > RESPONSE_BODY_CAP_BYTES,
              latencyMs: latency(),
            });
          res.on("data", (c: Buffer) => {
            if (size < RESPONSE_BODY_CAP_BYTES) chunks.push(c.subarray(0, RESPONSE_BODY_CAP_BYTES - size));
            size += c.length;
            // Stop only once a byte past the cap arrived, so a body of exactly the cap is not called truncated.
            if (size > RESPONSE_BODY_CAP_BYTES) {
              done(); // enough read: the status is known, the rest is not wanted
              res.destroy();
            }
          });
          res.on("end", done);
          res.on("error", done);
          res.on("close", done);
        },
      );
    } catch (err) {
      // Header names or values the HTTP layer refuses (e.g. CR/LF) throw synchronously; this is a result too.
      resolve({ kind: "error", error: `invalid request: ${err instanceof Error ? err.message : String(err)}`, latencyMs: latency() });
      return;
    }
    const timer = setTimeout(() => {
      finish({ kind: "error", error: `timeout after ${req.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`, latencyMs: latency() });
      request.destroy();
    }, req.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    request.on("error", (err: NodeJS.ErrnoException) => {
      finish({ kind: "error", error: err instanceof BlockedAddressError ? err.message : `${err.code ?? "error"}: ${err.message}`, latencyMs: latency() });
    });
    request.end(body);
  });
}
