// Structured logs with secrets redacted before they are written. Request bodies are not logged;
// the body paths below guard the places where code logs payload objects on purpose. A request's URL
// is logged without the bearer tokens some links carry (found by fuzzing: at info level every 3-D
// Secure link, which approves or fails its challenge, and every e-mail confirmation token was logged).
import { pino, type DestinationStream, type Logger } from "pino";

const SECRET_FIELDS = [
  "password",
  "cardNumber",
  "cardCVV",
  "cvv",
  "pan",
  "apiKey",
  "secret",
  "token",
  "access_token",
  "refresh_token",
  "smsCode",
];

const REDACT_PATHS = [
  "req.headers.authorization",
  'req.headers["x-api-key"]',
  'req.headers["x-signature"]',
  'req.headers["rampart-signature"]',
  'req.headers["x-operator-key"]',
  'req.headers["x-trader-key"]',
  "req.headers.cookie",
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((f) => `*.${f}`),
  ...SECRET_FIELDS.map((f) => `*.*.${f}`),
];

/** Pages whose path segment after the prefix is a bearer token: whoever holds the link may act on it. */
const TOKEN_IN_PATH = /^(\/(?:3ds|checkout|kyc|merchant\/invite)\/)[^/?]+/;
/** Query parameters that carry a secret (the e-mail confirmation link's token, say). */
const SECRET_PARAM = /^(?:token|key|code|secret|password|signature|sig)$/i;

/** The URL as logged: bearer tokens in a page's path and secret query values replaced by [redacted]. */
function urlForLog(url: string): string {
  const q = url.indexOf("?");
  const path = (q < 0 ? url : url.slice(0, q)).replace(TOKEN_IN_PATH, "$1[redacted]");
  if (q < 0) return path;
  const query = url
    .slice(q + 1)
    .split("&")
    .map((pair) => {
      const eq = pair.indexOf("=");
      return eq > 0 && SECRET_PARAM.test(pair.slice(0, eq)) ? `${pair.slice(0, eq)}=[redacted]` : pair;
    })
    .join("&");
  return `${path}?${query}`;
}

/** Fastify's request serializer (lib/logger-pino.js), the URL made fit for a log. */
interface LoggedRequest {
  method: string;
  url: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}
const serializers = {
  req: (req: LoggedRequest) => ({ method: req.method, url: urlForLog(req.url), host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort }),
};

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const logger = pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      base: { service: "rampart" },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers,
    },
    destination,
  );
  // Fastify lays a logger instance's `serializers` property over its own (lib/logger-factory.js);
  // pino keeps them out of sight, so without this Fastify's req serializer would log the raw URL.
  return Object.assign(logger, { serializers });
}
