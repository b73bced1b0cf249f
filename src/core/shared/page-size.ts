// Every list has a bounded page: a missing limit takes the list's default, any other is held to 1..max.
export function pageSize(limit: number | undefined, fallback: number, max: number): number {
  return Math.min(Math.max(limit ?? fallback, 1), max);
}
