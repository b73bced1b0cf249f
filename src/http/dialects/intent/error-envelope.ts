import type { ErrorRenderer } from "../../errors/error-handling.js";

/** `{ error, message, field?, requestId }` (docs/contract-intents.md#errors); 409s name the status. */
export const renderIntentError: ErrorRenderer = (e, requestId) => ({
  error: e.code,
  message: e.message,
  ...(e.field !== undefined ? { field: e.field } : {}),
  ...(e.details?.currentStatus !== undefined ? { status: e.details.currentStatus } : {}),
  requestId,
});
