// Structured logs with secrets redacted before they are written. Request bodies are not logged;
// the body paths below guard the places where code logs payload objects on purpose.
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

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      base: { service: "rampart" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
