// The WebhookSender port over safeRequest: every webhook and IPN leaves through the SSRF guard, with
// one total timeout (RAMPART_WEBHOOK_TIMEOUT_MS) and private addresses refused unless
// RAMPART_ALLOW_PRIVATE_WEBHOOKS is set.
import type { WebhookSender } from "../../app/ports.js";
import { safeRequest } from "./safe-request.js";

export function createWebhookSender(opts: { allowPrivate: boolean; timeoutMs: number }): WebhookSender {
  return {
    name: "http",
    send: (req) => safeRequest({ ...req, allowPrivate: opts.allowPrivate, timeoutMs: opts.timeoutMs }),
  };
}
