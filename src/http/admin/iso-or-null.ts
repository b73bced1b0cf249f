/** An optional timestamp as the admin API writes it: ISO 8601, or null when it has not happened. */
export const isoOrNull = (d: Date | null): string | null => (d ? d.toISOString() : null);
