import type { Command } from "./command.js";
import type { ProcessRole } from "../config/config.js";
import { loadConfig } from "../config/config.js";
import { buildDeps } from "../main/deps.js";
import { startRampart } from "../main/server.js";
import { printCredentials } from "./print-credentials.js";

const ROLES: ProcessRole[] = ["all", "api", "worker"];

export const startCommand: Command = {
  name: "start",
  summary:
    "Run the gateway: HTTP server and background worker in one process (or one role with --role). " +
    "Applies migrations; in sandbox mode seeds the sandbox data and prints its credentials.",
  usage: "rampart start [--role all|api|worker]",
  options: { role: { type: "string" } },
  help: [
    "  --role       all (default): server and worker; api: HTTP only; worker: background jobs only",
    "",
    "Environment: DATABASE_URL (absent: embedded database in RAMPART_DATA_DIR, default ./.rampart),",
    "PORT (8080), RAMPART_MODE (sandbox|live), RAMPART_SECRET_KEY (required in live mode), LOG_LEVEL.",
  ],
  async run(values) {
    const role = (values.role ?? "all") as ProcessRole;
    if (!ROLES.includes(role)) {
      process.stderr.write(`--role must be one of ${ROLES.join(", ")}\n`);
      return 2;
    }
    const started = Date.now();
    const config = loadConfig();
    const deps = await buildDeps(config);
    const running = await startRampart(deps, role);

    const where = config.databaseUrl ? "PostgreSQL" : `embedded database in ${config.dataDir}`;
    process.stdout.write(`Rampart ${role === "all" ? "" : `(${role}) `}ready in ${Date.now() - started} ms (${config.mode}, ${where})\n`);
    if (running.url) process.stdout.write(`url:              ${running.url}\ndocs:             ${running.url}/docs\n`);
    if (running.credentials && !config.databaseUrl) printCredentials(running.credentials);

    await new Promise<void>((resolve) => {
      const shutdown = () => resolve();
      process.once("SIGINT", shutdown);
      process.once("SIGTERM", shutdown);
    });
    await running.stop();
    return 0;
  },
};
