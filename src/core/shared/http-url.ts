// One rule for every URL Rampart is given (webhook and IPN targets, callback and return URLs, KYC
// documents and redirects), wherever it is registered: an absolute http(s) URL of at most 2048
// characters, without credentials. Credentials in a URL would be kept in rows, attempt logs and
// redirects, and sent to whoever the URL names.

export const MAX_URL_LENGTH = 2048;

/** Why `raw` breaks the rule, or null when it keeps it. */
export function httpUrlProblem(raw: string): string | null {
  if (raw.length > MAX_URL_LENGTH) return `The URL must be at most ${MAX_URL_LENGTH} characters.`;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return "The URL must be an absolute http(s) URL.";
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") return "The URL must be an absolute http(s) URL.";
  if (u.username || u.password) return "The URL must not contain credentials.";
  if (u.port === "0") return "The URL's port must be 1 to 65535.";
  return null;
}
