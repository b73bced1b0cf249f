// `rampart secret rotate`: re-encrypts everything under the new RAMPART_SECRET_KEY (see
// app/secret/rotate-secret.ts for the order of steps).
import { rotateSecret } from "../app/secret/rotate-secret.js";
import type { Command } from "./command.js";
import { withDeps } from "./context.js";

export const secretCommand: Command = {
  name: "secret",
  summary:
    "Rotate the server secret: re-encrypt every stored secret (API key copies, webhook and IPN secrets, card numbers) " +
    "under RAMPART_SECRET_KEY, reading the old values with RAMPART_PREVIOUS_SECRET_KEY, then mark the database as using the new key.",
  usage: "rampart secret rotate",
  options: {},
  help: [
    "  rotate       re-encrypt in batches, printing progress; safe to run again",
    "",
    "Steps: restart every process with RAMPART_SECRET_KEY=<new> and RAMPART_PREVIOUS_SECRET_KEY=<old>,",
    "run `rampart secret rotate` once, then drop RAMPART_PREVIOUS_SECRET_KEY and restart again.",
    "Sessions, card access tokens and SMS codes are signed with the secret: they end when the key changes.",
  ],
  allowPositionals: true,
  async run(_values, positionals) {
    if (positionals[0] !== "rotate" || positionals.length !== 1) {
      process.stderr.write("Usage: rampart secret rotate\n");
      return 2;
    }
    return withDeps(async (deps) => {
      const n = await rotateSecret(deps, (p) => process.stdout.write(`  ${p.label}: ${p.done}/${p.total}\n`));
      process.stdout.write(`Re-encrypted ${n} value(s); the database now uses the key in RAMPART_SECRET_KEY.\n`);
      return 0;
    });
  },
};
