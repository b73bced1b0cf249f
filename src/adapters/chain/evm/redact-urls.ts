// A node's URL often carries a provider's API key in its path (https://mainnet.infura.io/v3/KEY), and
// viem writes the URL into its errors ("URL: …", error.url, copied again into every wrapping error's
// metaMessages). Errors are redacted where they leave the HTTP transport, before viem wraps them, so
// nothing built from them (jobs.last_error, logs, /readyz, the console) holds the key.
const REDACTED = "[redacted]";
/** Any scheme://user:password@ — credentials are refused in configured URLs, but a node may echo others. */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi;
/** How deep an error's cause chain is walked: viem nests three or four levels. */
const MAX_DEPTH = 8;

export type Redactor = (text: string) => string;

/** What an error may still say of `raw`: its scheme and host, never its path, query or credentials. */
function redactedForm(u: URL): string {
  const hidden = u.pathname !== "/" || u.search !== "" || u.hash !== "";
  return `${u.protocol}//${u.host}${hidden ? `/${REDACTED}` : ""}`;
}

/** Replaces every form in which the given URLs (and their path keys) may appear in a text. */
export function urlRedactor(urls: readonly string[]): Redactor {
  const pairs: [string, string][] = [];
  for (const raw of urls) {
    const u = new URL(raw);
    const safe = redactedForm(u);
    pairs.push([raw, safe], [u.href, safe]);
    // The path and query alone (a message may quote them without the host); "/" hides nothing.
    const tail = `${u.pathname}${u.search}`;
    if (tail.length > 1) pairs.push([tail, `/${REDACTED}`]);
  }
  // Longest first: a URL is replaced whole before its own path is looked for.
  pairs.sort((a, b) => b[0].length - a[0].length);
  return (text) => {
    let out = text;
    for (const [secret, safe] of pairs) out = out.split(secret).join(safe);
    return out.replace(USERINFO, `$1${REDACTED}@`);
  };
}

/**
 * Redacts, in place, every string an error holds (message, stack, viem's details, metaMessages and url)
 * down its cause chain. In place, so the error keeps its class: callers test `instanceof` and viem
 * decides on failover by it.
 */
export function redactError(err: unknown, redact: Redactor, depth = 0): void {
  if (typeof err !== "object" || err === null || depth > MAX_DEPTH) return;
  const obj = err as Record<string, unknown>;
  for (const key of Object.getOwnPropertyNames(obj)) {
    const value = obj[key];
    let next: unknown = value;
    if (typeof value === "string") next = redact(value);
    else if (Array.isArray(value)) next = value.map((v) => (typeof v === "string" ? redact(v) : v));
    else if (typeof value === "object" && value !== null) redactError(value, redact, depth + 1);
    if (next !== value) {
      try {
        obj[key] = next;
      } catch {
        // A read-only property: nothing viem or fetch sets; left as it is.
      }
    }
  }
}
