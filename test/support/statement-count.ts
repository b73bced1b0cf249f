// Counts the statements a piece of work sends to the database, on either engine: how batching tests
// see that concurrent requests really shared statements or commits.
import pg from "pg";
import type { Harness } from "./harness.js";

/** Counts the statements whose text `match`es sent while `fn` runs. */
export async function countingStatements<T>(h: Harness, match: (text: string) => boolean, fn: () => Promise<T>): Promise<{ result: T; statements: number }> {
  let statements = 0;
  const count = (text: unknown) => {
    if (typeof text === "string" && match(text)) statements++;
  };
  const target: { query: (...a: any[]) => any } = h.deps.database.engine === "postgres" ? pg.Client.prototype : (h.deps.database as any).pglite;
  const original = target.query;
  target.query = function (this: unknown, q: unknown, ...rest: unknown[]) {
    count(typeof q === "string" ? q : (q as { text?: string })?.text);
    return original.call(this, q, ...rest);
  };
  try {
    return { result: await fn(), statements };
  } finally {
    target.query = original;
  }
}
