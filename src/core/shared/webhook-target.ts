// The early check of a webhook or IPN URL a merchant registers (issue 19): the one URL rule
// (http-url.ts) and the SSRF guard's address table (address-guard.ts) for IP literals.
import { isIP } from "node:net";
import { isBlockedAddress } from "./address-guard.js";
import { httpUrlProblem } from "./http-url.js";

/**
 * A webhook or IPN target a merchant registers: the URL rule, and (unless private targets are allowed,
 * RAMPART_ALLOW_PRIVATE_WEBHOOKS) not an IP literal the SSRF guard refuses nor localhost. This is the
 * early, readable refusal; the guard itself still vets every address actually connected to at send time,
 * since a name may resolve to a private address later.
 */
export function webhookTargetProblem(raw: string, allowPrivate: boolean): string | null {
  const problem = httpUrlProblem(raw);
  if (problem !== null || allowPrivate) return problem;
  // A trailing dot names the same host ("localhost." is localhost: found by fuzzing).
  const host = new URL(raw).hostname.toLowerCase().replace(/\.+$/, "");
  const literal = host.startsWith("[") ? host.slice(1, -1) : host;
  if (host === "localhost" || host.endsWith(".localhost") || (isIP(literal) !== 0 && isBlockedAddress(literal))) {
    return "The URL names a private, loopback or reserved address: webhooks are delivered only to public addresses.";
  }
  return null;
}
