import type { CommandRun } from "./command.js";
import type { ProcessRole } from "../config/config.js";
import { loadConfig, portAdapters, sandboxAdaptersInLive } from "../config/config.js";
import { printCredentials } from "./print-credentials.js";

const ROLES: ProcessRole[] = ["all", "api", "worker"];

/** `rampart start` once its arguments are parsed (its spec is in commands.ts). */
export const run: CommandRun = async (values, _positionals, runtime) => {
  const role = (values.role ?? "all") as ProcessRole;
  if (!ROLES.includes(role)) {
    process.stderr.write(`--role must be one of ${ROLES.join(", ")}\n`);
    return 2;
  }
  const started = Date.now();
  const config = loadConfig();
  // Live mode never runs a sandbox adapter: one line per port still on one, naming the variable to set.
  const refused = sandboxAdaptersInLive(config);
  for (const problem of refused) process.stderr.write(`rampart start: ${problem.message}\n`);
  if (refused.length > 0) return 1;
  const running = await runtime.start(config, role);

  const where = config.databaseUrl ? "PostgreSQL" : `embedded database in ${config.dataDir}`;
  process.stdout.write(`Rampart ${role === "all" ? "" : `(${role}) `}ready in ${Date.now() - started} ms (${config.mode}, ${where})\n`);
  const adapters = Object.entries(portAdapters(config)).map(([port, adapter]) => `${port}=${adapter}`);
  process.stdout.write(`adapters:         ${adapters.join(" ")}\n`);
  if (running.url) process.stdout.write(`url:              ${running.url}\ndocs:             ${running.url}/docs\n`);
  if (running.credentials && !config.databaseUrl) printCredentials(running.credentials);

  await new Promise<void>((resolve) => {
    const shutdown = () => resolve();
    process.once("SIGINT", shutdown);
    process.once("SIGTERM", shutdown);
  });
  await running.stop();
  return 0;
};
