// `rampart secret rotate`: re-encrypts everything under the new RAMPART_SECRET_KEY (see
// app/secret/rotate-secret.ts for the order of steps).
import { rotateSecret } from "../app/secret/rotate-secret.js";
import { runCliAction } from "../app/audit/cli-action.js";
import type { CommandRun } from "./command.js";

/** `rampart secret` once its arguments are parsed (its spec is in commands.ts). */
export const run: CommandRun = async (_values, positionals, runtime) => {
  if (positionals[0] !== "rotate" || positionals.length !== 1) {
    process.stderr.write("Usage: rampart secret rotate\n");
    return 2;
  }
  return runtime.withDeps(async (deps) => {
    const n = await runCliAction(deps, { action: "secret.rotate", subject: "", details: {} }, () => rotateSecret(deps, (p) => process.stdout.write(`  ${p.label}: ${p.done}/${p.total}\n`)));
    process.stdout.write(`Re-encrypted ${n} value(s); the database now uses the key in RAMPART_SECRET_KEY.\n`);
    return 0;
  });
};
