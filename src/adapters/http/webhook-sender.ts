// The WebhookSender port: every webhook and IPN leaves through one undici Agent, which keeps
// keep-alive connections per endpoint (origin), so a busy endpoint is not paid a TCP handshake per
// delivery. The SSRF guard sits where a pooled connection is made: the Agent's connect uses the
// guarded DNS lookup, so every address a connection is opened to is vetted (a name resolving to
// 127.0.0.1, or flipping to it later, is refused when its connection opens), and IP literals, which
// skip DNS, are checked before the request (checkTarget). One total timeout per request
// (RAMPART_WEBHOOK_TIMEOUT_MS); redirects are returned, never followed; the response body is read up
// to a cap; private addresses are refused unless RAMPART_ALLOW_PRIVATE_WEBHOOKS is set. Network
// outcomes are results, never exceptions.
import { Agent } from "undici";
import type { WebhookResponse, WebhookSender } from "../../app/ports.js";
import { BlockedAddressError, checkTarget, guardedLookup, RESPONSE_BODY_CAP_BYTES } from "./safe-request.js";

/** An idle pooled connection is closed after this long (receivers often close theirs after 5 s). */
const KEEP_ALIVE_MS = 4_000;

interface PooledWebhookSender extends WebhookSender {
  /** Closes the pooled connections (a stopping process). */
  close(): Promise<void>;
}

function describe(err: unknown): string {
  // undici reports a failed connect as the socket's error, sometimes wrapped in `cause`.
  for (let e: unknown = err; e instanceof Error; e = e.cause) if (e instanceof BlockedAddressError) return e.message;
  const e = err as NodeJS.ErrnoException;
  return `${e.code ?? "error"}: ${e.message ?? String(err)}`;
}

export function createWebhookSender(opts: { allowPrivate: boolean; timeoutMs: number }): PooledWebhookSender {
  const agent = new Agent({
    // No cap on connections per origin: the dispatcher bounds its requests per endpoint and in all,
    // and an endpoint is a URL, not an origin. A cap here would queue one endpoint's requests behind
    // another endpoint's hanging ones on the same host (two merchants on one webhook service).
    connections: null,
    keepAliveTimeout: KEEP_ALIVE_MS,
    keepAliveMaxTimeout: KEEP_ALIVE_MS,
    // A receiver's own "Keep-Alive: timeout=N" is honoured less this margin (undici's default, 2 s,
    // turned every receiver that keeps idle connections 1-2 s into a connection per delivery).
    keepAliveTimeoutThreshold: 500,
    // undici passes these to net/tls.connect: the lookup runs for every new connection.
    connect: { lookup: guardedLookup(opts.allowPrivate), timeout: opts.timeoutMs },
    // The total timeout below governs; undici's own header/body timers would only cut it shorter.
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  return {
    name: "http",
    async send(req): Promise<WebhookResponse> {
      const target = checkTarget(req.url, opts.allowPrivate);
      if ("error" in target) return { kind: "error", error: target.error, latencyMs: 0 };
      const { url } = target;
      const started = performance.now();
      const latency = () => Math.round(performance.now() - started);
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), opts.timeoutMs);
      try {
        const res = await agent.request({ origin: url.origin, path: `${url.pathname}${url.search}`, method: req.method, headers: req.headers, body: req.body, signal: abort.signal });
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const c of res.body as AsyncIterable<Buffer>) {
          if (size < RESPONSE_BODY_CAP_BYTES) chunks.push(c.subarray(0, RESPONSE_BODY_CAP_BYTES - size));
          size += c.length;
          // Stop only once a byte past the cap arrived, so a body of exactly the cap is not called truncated.
          if (size > RESPONSE_BODY_CAP_BYTES) {
            res.body.destroy(); // the status is known, the rest is not wanted (the connection is dropped)
            break;
          }
        }
        return { kind: "response", status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString("utf8"), truncated: size > RESPONSE_BODY_CAP_BYTES, latencyMs: latency() };
      } catch (err) {
        if (abort.signal.aborted) return { kind: "error", error: `timeout after ${opts.timeoutMs} ms`, latencyMs: latency() };
        if ((err as { code?: string }).code === "UND_ERR_INVALID_ARG") return { kind: "error", error: `invalid request: ${(err as Error).message}`, latencyMs: latency() };
        return { kind: "error", error: describe(err), latencyMs: latency() };
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => agent.close(),
  };
}
