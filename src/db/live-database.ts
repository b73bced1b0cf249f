// The live marker (migration 0021): set once, never removed.
import type { Db } from "./schema.js";

export async function markLive(db: Db): Promise<void> {
  await db.insertInto("live_database").defaultValues().onConflict((oc) => oc.column("id").doNothing()).execute();
}

/** When the database first ran in live mode, or null for one that never did. */
export async function liveSince(db: Db): Promise<Date | null> {
  const row = await db.selectFrom("live_database").select("marked_at").executeTakeFirst();
  return row?.marked_at ?? null;
}
