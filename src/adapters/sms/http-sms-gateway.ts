// SMS through an HTTP gateway described by config: a URL template (GET), or a URL and a body template
// (POST), with {phone} and {text} filled in, escaped for where they go (percent-encoded in the URL and
// in a form body, JSON-string-escaped in a JSON body), and an optional auth header. The request goes
// through the same SSRF guard and timeout as webhooks. A failed send is a 503 service_unavailable (the
// reason is logged, never returned): the caller answers it instead of saying a code is on its way.
import type { SmsSender } from "../../app/ports.js";
import { AppError } from "../../core/shared/errors.js";
import { safeRequest } from "../http/safe-request.js";

interface SmsGatewayOptions {
  url: string;
  body: string | null;
  contentType: "application/json" | "application/x-www-form-urlencoded";
  authHeader: { name: string; value: string } | null;
  allowPrivate: boolean;
  timeoutMs: number;
  /** Where the failure's reason goes (the log). */
  onFailure(reason: string): void;
}

type Escape = (value: string) => string;
const jsonEscape: Escape = (v) => JSON.stringify(v).slice(1, -1);

function fill(template: string, values: Record<"phone" | "text", string>, escape: Escape): string {
  return template.replace(/\{(phone|text)\}/g, (_, k: "phone" | "text") => escape(values[k]));
}

export function createHttpSmsGateway(opts: SmsGatewayOptions): SmsSender {
  return {
    name: "http",
    async send(phone, text) {
      const values = { phone, text };
      const url = fill(opts.url, values, encodeURIComponent);
      const headers: Record<string, string> = opts.authHeader ? { [opts.authHeader.name]: opts.authHeader.value } : {};
      const res =
        opts.body === null
          ? await safeRequest({ method: "GET", url, headers, allowPrivate: opts.allowPrivate, timeoutMs: opts.timeoutMs })
          : await safeRequest({
              method: "POST",
              url,
              headers: { ...headers, "content-type": opts.contentType },
              body: fill(opts.body, values, opts.contentType === "application/json" ? jsonEscape : encodeURIComponent),
              allowPrivate: opts.allowPrivate,
              timeoutMs: opts.timeoutMs,
            });
      const failure = res.kind === "error" ? res.error : res.status < 200 || res.status > 299 ? `HTTP ${res.status}` : null;
      if (failure !== null) {
        opts.onFailure(failure);
        throw new AppError("service_unavailable", { message: "The SMS could not be sent; try again later." });
      }
    },
  };
}
