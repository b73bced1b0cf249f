// Operator notifications: things an operator must act on (an endpoint disabled by a 410, ...).
import type { Db } from "../schema.js";

export async function insertNotification(
  db: Db,
  n: { id: string; kind: string; subject: string; message: string; details: Record<string, unknown>; at: Date },
): Promise<void> {
  await db
    .insertInto("operator_notifications")
    .values({ id: n.id, kind: n.kind, subject: n.subject, message: n.message, details: JSON.stringify(n.details), created_at: n.at })
    .execute();
}

/** Newest first. */
export async function listNotifications(db: Db, limit: number) {
  return db.selectFrom("operator_notifications").select(["id", "kind", "subject", "message", "created_at", "read_at"]).orderBy("created_at", "desc").orderBy("id", "desc").limit(limit).execute();
}
