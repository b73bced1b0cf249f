// A payment's status as a pill, coloured by what it means for the money (done, stopped, needs a person),
// whichever flow named it. The pill colours in layout.ts pass WCAG AA contrast (axe checks them).
import { html, type SafeHtml } from "../pages/html.js";

const DONE = new Set(["closed", "completed", "succeeded", "payment_received"]);
const STOPPED = new Set(["canceled", "cancelled", "failed", "timed_out", "refunded", "kyc_failed", "country_not_served", "provider_error", "expired", "rejected"]);
const NEEDS_PERSON = new Set(["dispute", "checking", "re_calculation", "kyc_manual_review", "review", "pending"]);

export function statusPill(status: string): SafeHtml {
  const tone = DONE.has(status) ? "ok" : STOPPED.has(status) ? "bad" : NEEDS_PERSON.has(status) ? "warn" : "";
  return html`<span class="status ${tone}" data-status="${status}">${status}</span>`;
}
