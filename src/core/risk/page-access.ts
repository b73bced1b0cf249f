// Payer page access (issue 17): the merchant sends the payer's IP and user agent in
// extra.payerInfo; a visitor of /pay/{id} who differs in either is a risk signal. What happens then is
// the merchant's setting: off (nothing), log (a warning), deny (the page is refused, no payment details).

export type PageAccess = "off" | "log" | "deny";

/** What the payer page's visitor presents: the client address (trusted proxies applied) and user agent. */
export interface PageVisitor {
  ip: string;
  userAgent: string | null;
}

type Mismatch = "ip" | "userAgent";

const given = (v: unknown): string | null => (typeof v === "string" && v.trim().length > 0 ? v.trim() : null);

/**
 * The payerInfo fields the visitor does not match. A field the merchant did not send is not compared:
 * a missing signal never refuses on its own. IPs compare exactly, user agents after trimming.
 */
export function payerMismatch(payerInfo: unknown, visitor: PageVisitor): Mismatch[] {
  const info = payerInfo && typeof payerInfo === "object" ? (payerInfo as Record<string, unknown>) : {};
  const out: Mismatch[] = [];
  const ip = given(info.ip);
  if (ip !== null && ip !== visitor.ip) out.push("ip");
  const ua = given(info.userAgent);
  if (ua !== null && ua !== given(visitor.userAgent)) out.push("userAgent");
  return out;
}
