// The cheapest round trip: readiness asks it before anything else, so an unreachable database is told
// apart from unapplied migrations.
import { sql } from "kysely";
import type { Db } from "./schema.js";

export async function pingDatabase(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}
