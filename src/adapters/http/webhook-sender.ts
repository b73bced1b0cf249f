// The WebhookSender port: every webhook and IPN leaves through one undici Agent, which keeps
// keep-alive connections per endpoint (origin), so a busy endpoint is not paid a TCP handshake per
// delivery. The SSRF guard sits where a pooled connection is made: the Agent's connect uses the
// guarded DNS lookup, so every address a connection is opened to is vetted (a name resolving to
// 127.0.0.1, or flipping to it later, is refused when its connection opens), and IP literals, which
// skip DNS, are checked before the request (checkTarget). One total timeout per request
// (RAMPART_WEBHOOK_TIMEOUT_MS); redirects are returned, never followed; the response body is read up
// to a cap; private addresses are refused unless RAMPART_ALLOW_PRIVATE_WEBHOOKS is set. Network
// outcomes are results, never exceptions.
import { Agent, type Dispatcher } from "undici";
import type { WebhookRequest, WebhookResponse, WebhookSender } from "../../app/ports.js";
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
    // The total timeout (exchange) governs; undici's own header/body timers would only cut it shorter.
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  return {
    name: "http",
    send(req): Promise<WebhookResponse> {
      const target = checkTarget(req.url, opts.allowPrivate);
      if ("error" in target) return Promise.resolve({ kind: "error", error: target.error, latencyMs: 0 });
      return exchange(agent, target.url, req, opts.timeoutMs);
    },
    close: () => agent.close(),
  };
}

/**
 * One request through undici's dispatch API: the answer is gathered in the handler's callbacks. The
 * request() API built a readable stream, an async iterator and an AbortSignal with its listeners for
 * every delivery; on a 2-core machine that was a fifth of the webhook worker's CPU (issue 16). The
 * first of answer, error, cap and total timeout settles the outcome; a request still in flight then is
 * aborted (its connection dropped), and later callbacks change nothing.
 */
function exchange(agent: Agent, url: URL, req: WebhookRequest, timeoutMs: number): Promise<WebhookResponse> {
  return new Promise((resolve) => {
    const started = performance.now();
    const latency = () => Math.round(performance.now() - started);
    let controller: Dispatcher.DispatchController | null = null;
    let settled = false;
    let status = 0;
    let headers: Record<string, string | string[] | undefined> = {};
    const chunks: Buffer[] = [];
    let size = 0;
    // `cut`: the request is still running (a timeout, a body past the cap): abort it, dropping its connection.
    const settle = (outcome: WebhookResponse, cut = false) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
      if (cut) controller?.abort(new Error("webhook request cut short"));
    };
    const answer = (truncated: boolean) => ({ kind: "response" as const, status, headers, body: Buffer.concat(chunks).toString("utf8"), truncated, latencyMs: latency() });
    const timer = setTimeout(() => settle({ kind: "error", error: `timeout after ${timeoutMs} ms`, latencyMs: latency() }, true), timeoutMs);
    agent.dispatch(
      { origin: url.origin, path: `${url.pathname}${url.search}`, method: req.method, headers: req.headers, body: req.body ?? null },
      {
        onRequestStart(c) {
          controller = c;
          // Timed out while its connection was being opened.
          if (settled) c.abort(new Error("webhook request cut short"));
        },
        onResponseStart(_c, statusCode, h) {
          // A 1xx is followed by the final answer's start.
          status = statusCode;
          headers = h;
        },
        onResponseData(_c, chunk) {
          if (size < RESPONSE_BODY_CAP_BYTES) chunks.push(chunk.subarray(0, RESPONSE_BODY_CAP_BYTES - size));
          size += chunk.length;
          // Settled only once a byte past the cap arrived, so a body of exactly the cap is not called truncated.
          if (size > RESPONSE_BODY_CAP_BYTES) settle(answer(true), true);
        },
        onResponseEnd() {
          settle(answer(false));
        },
        onResponseError(_c, err) {
          if ((err as { code?: string }).code === "UND_ERR_INVALID_ARG") settle({ kind: "error", error: `invalid request: ${err.message}`, latencyMs: latency() });
          else settle({ kind: "error", error: describe(err), latencyMs: latency() });
        },
      },
    );
  });
}
