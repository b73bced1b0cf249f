// What operations read about the process's database: readiness (/readyz) and the dashboard overview.
import type { ListenerState } from "../../db/change-listener.js";
import { pendingMigrations } from "../../db/migrate.js";
import { oldestDueJobAt } from "../../db/outbox/jobs.js";
import { countTenants } from "../../db/overview.js";
import { pingDatabase } from "../../db/ping.js";
import type { Deps } from "../deps.js";
import { portAdapters } from "../../config/config.js";

/** Which adapter serves each port (rates, KYC, SMS, chain, card acquirer, bank feed), as configured. */
export const adaptersInUse = (deps: Deps) => portAdapters(deps.config);

/** Whether this process's NOTIFY session listens (caches bypass while it is lost). */
export const listenerState = (deps: Deps): ListenerState => deps.database.listenerState();

/**
 * The migrations still to apply and how long the oldest due job has waited (the workers' lag, in
 * seconds); throws when the database does not answer.
 */
export async function databaseReadiness(deps: Deps): Promise<{ pendingMigrations: string[]; jobLagSeconds: number }> {
  await pingDatabase(deps.database.db);
  const now = deps.clock.now();
  const [pending, oldest] = await Promise.all([pendingMigrations(deps.database), oldestDueJobAt(deps.database.db, now)]);
  return { pendingMigrations: pending, jobLagSeconds: oldest ? Math.max(0, Math.floor((now.getTime() - oldest.getTime()) / 1000)) : 0 };
}

export async function overviewFigures(deps: Deps) {
  const [tenants, pending] = await Promise.all([countTenants(deps.database.db), pendingMigrations(deps.database)]);
  return { tenants, pendingMigrations: pending };
}
