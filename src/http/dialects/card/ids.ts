// Ids in the card dialect's paths and queries (cards, offers, wallets) are integers on the wire.
import { AppError } from "../../../core/shared/errors.js";

/** Path and query ids: digits only, else the object does not exist (never a database error). */
export function idParam(v: string | number, what: string): string {
  const s = String(v).trim();
  if (!/^[0-9]{1,18}$/.test(s)) throw new AppError("not_found", { message: `No such ${what}.` });
  return s;
}
