// A database that ran in live mode once stays live (migration 0021 says why): the first live process
// marks it, and the sandbox seed refuses it.
import { AppError } from "../../core/shared/errors.js";
import { liveSince, markLive } from "../../db/live-database.js";
import type { Db } from "../../db/schema.js";

/** Called by every process and command that opens the database in live mode, after migrating it. */
export async function markDatabaseLive(db: Db): Promise<void> {
  await markLive(db);
}

/** The sandbox data set never goes into a live database. */
export async function refuseLiveDatabase(db: Db): Promise<void> {
  const since = await liveSince(db);
  if (since !== null) {
    throw new AppError("forbidden", {
      message: `This database has run in live mode (since ${since.toISOString()}): the sandbox data set is never written to it. Use another database (DATABASE_URL or RAMPART_DATA_DIR) for the sandbox.`,
    });
  }
}
