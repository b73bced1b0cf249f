// What operations read about the process's database: readiness (/readyz) and the dashboard overview.
import { pendingMigrations } from "../../db/migrate.js";
import { countTenants } from "../../db/overview.js";
import { pingDatabase } from "../../db/ping.js";
import type { Deps } from "../deps.js";
import { portAdapters } from "../../config/config.js";

/** Which adapter serves each port (rates, KYC, SMS, chain, card acquirer), as configured. */
export const adaptersInUse = (deps: Deps) => portAdapters(deps.config);

/** The migrations still to apply; throws when the database does not answer. */
export async function databaseReadiness(deps: Deps): Promise<{ pendingMigrations: string[] }> {
  await pingDatabase(deps.database.db);
  return { pendingMigrations: await pendingMigrations(deps.database) };
}

export async function overviewFigures(deps: Deps) {
  const [tenants, pending] = await Promise.all([countTenants(deps.database.db), pendingMigrations(deps.database)]);
  return { tenants, pendingMigrations: pending };
}
