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

  const signal = await new Promise<string>((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
  process.stdout.write(`${signal}: draining (in-flight requests and jobs finish; at most ${config.shutdownTimeoutMs} ms)\n`);
  // A drain that hangs (a handler stuck on a vendor) must not keep the process: what it held returns
  // to the other processes when its leases expire.
  const deadline = setTimeout(() => {
    process.stderr.write(`rampart start: drain took over ${config.shutdownTimeoutMs} ms (RAMPART_SHUTDOWN_TIMEOUT_MS); exiting\n`);
    process.exit(1);
  }, config.shutdownTimeoutMs);
  deadline.unref();
  await running.stop();
  clearTimeout(deadline);
  process.stdout.write("Stopped.\n");
  return 0;
};
