// Phone numbers and password rules for card customers.
import { AppError } from "../shared/errors.js";

/** E.164: "+447871239999"; spaces, dashes and brackets are ignored, the leading + is optional. */
export function normalizePhone(input: string, field = "phone"): string {
  const compact = input.replace(/[\s\-().]/g, "");
  const m = /^\+?([1-9]\d{6,14})$/.exec(compact);
  if (!m) throw new AppError("validation_failed", { field, message: "The phone number must be in international format, e.g. +447871239999." });
  return `+${m[1]}`;
}

const MIN_PASSWORD_LENGTH = 8;
const MAX_PASSWORD_LENGTH = 128;

/** At least 8 characters with a letter and a digit, not the phone number itself. */
export function assertPasswordStrength(password: string, phone: string, field = "password"): void {
  const weak =
    password.length < MIN_PASSWORD_LENGTH ||
    password.length > MAX_PASSWORD_LENGTH ||
    !/\p{L}/u.test(password) ||
    !/\d/.test(password) ||
    password.replace(/\D/g, "") === phone.replace(/\D/g, "");
  if (weak) {
    throw new AppError("weak_password", {
      field,
      message: `The password must be ${MIN_PASSWORD_LENGTH}-${MAX_PASSWORD_LENGTH} characters with at least one letter and one digit.`,
    });
  }
}
