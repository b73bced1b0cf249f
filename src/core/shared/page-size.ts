import { AppError } from "./errors.js";
import { INT8_MAX } from "./int8.js";

// Every list has a bounded page: a missing limit takes the list's default, any other is held to 1..max.
export function pageSize(limit: number | undefined, fallback: number, max: number): number {
  return Math.min(Math.max(limit ?? fallback, 1), max);
}

/**
 * A page read with limit + 1 rows: the extra row only says another page exists, so the last page's
 * nextCursor is null even when it is exactly full.
 */
export function pageOf<T>(rows: readonly T[], limit: number, cursorOf: (last: T) => string): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? cursorOf(items[items.length - 1]!) : null };
}

/** The 400 for a cursor no page of the list gave: malformed, or naming a row the list does not hold. */
export function invalidCursor(): AppError {
  return new AppError("validation_failed", { field: "cursor", message: "Invalid cursor" });
}

/** A keyset cursor that is a bigint sequence number (as text), or undefined when none was sent; anything else is a 400. */
export function seqCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  if (!/^\d{1,19}$/.test(cursor) || BigInt(cursor) > INT8_MAX) throw invalidCursor();
  return cursor;
}
