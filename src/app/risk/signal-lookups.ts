// The signals the application derives before the rules run: the IP's country from an offline
// database shipped with geoip-country, and whether an e-mail domain is a disposable-mail domain
// (disposable-email-domains-js, a maintained list). Both are memory lookups; nothing leaves the host.
import { createRequire } from "node:module";
import { disposableEmailBlocklistSet } from "disposable-email-domains-js";
import type { RiskSignals } from "../../core/risk/signals.js";
import { signalValue } from "../../core/risk/signals.js";

const require = createRequire(import.meta.url);
let geoip: { lookup(ip: string): { country: string } | null } | null = null;
// Built once: the package's isDisposableEmailDomain builds a Set of its whole list on every call
// (about 5 ms of CPU per payment, found by bench/risk-create.ts).
let disposable: Set<string> | null = null;

/** ISO 3166 alpha-2 of the IP, or null for private, reserved or unknown addresses. */
function ipCountry(ip: string | null | undefined): string | null {
  if (!ip) return null;
  // Loaded on first use: the database is ~10 MB and only processes that evaluate geography need it.
  geoip ??= require("geoip-country") as NonNullable<typeof geoip>;
  try {
    return geoip.lookup(ip.trim())?.country ?? null;
  } catch {
    return null;
  }
}

export function withDerivedSignals(s: RiskSignals, needs: { country: boolean; disposable: boolean }): RiskSignals {
  const domain = needs.disposable ? signalValue(s, "emailDomain") : null;
  return {
    ...s,
    ipCountry: needs.country ? ipCountry(s.ip) : null,
    emailDisposable: domain ? (disposable ??= disposableEmailBlocklistSet()).has(domain) : null,
  };
}
