// The trading dialect's error envelope: { message: "<CODE>", code: "<snake_case>", requestId }.
// Real clients switch on `message` (NestJS-style upper-case codes), so it carries the dialect's codes:
// CANT_CREATE_TRADE_FOR_THIS_AMOUNT, MIN_FIAT_AMOUNT_SHOULD_BE_<n>, ...
import type { ErrorRenderer } from "../../errors/error-handling.js";
import type { HttpError } from "../../errors/normalize.js";

const upperSnake = (s: string) =>
  s
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .toUpperCase();

export function tradingMessage(e: HttpError): string {
  switch (e.code) {
    case "no_requisite_available":
      return "CANT_CREATE_TRADE_FOR_THIS_AMOUNT";
    case "fiat_amount_too_small":
      return `MIN_FIAT_AMOUNT_SHOULD_BE_${String(e.details?.bound)}`;
    case "fiat_amount_too_large":
      return `MAX_FIAT_AMOUNT_SHOULD_BE_${String(e.details?.bound)}`;
    case "method_not_available":
      return `${upperSnake(String(e.details?.method ?? "payment"))}_METHOD_DISABLED_PLEASE_CONTACT_SUPPORT`;
    case "illegal_transition": {
      // cancel, pay-in, closed → CANNOT_CANCEL_PAY_IN_IN_STATUS_CLOSED (the plain-words message is not the code)
      const t = e.transition;
      return t ? upperSnake(`cannot ${t.action} ${t.entity} in status ${t.currentStatus}`) : "ILLEGAL_TRANSITION";
    }
    case "validation_failed":
      return e.field ? `INVALID_${upperSnake(e.field)}` : "VALIDATION_FAILED";
    default:
      return e.code.toUpperCase();
  }
}

export const renderTradingError: ErrorRenderer = (e, requestId) => ({ message: tradingMessage(e), code: e.code, requestId });
