// Helper for scripts/test.mjs: prints the template name or dump path on its last stdout line.
// A database that cannot be reached, opened or created is one line, not a stack trace.
import { DatabaseUnavailableError } from "../src/db/unavailable.js";
import { adminQuery, preparePGliteDump, preparePostgresTemplate } from "../test/support/test-db.js";

async function prepare(what: string): Promise<void> {
  if (what === "postgres") {
    console.log(await preparePostgresTemplate());
  } else if (what === "pglite") {
    console.log(await preparePGliteDump());
  } else if (what.startsWith("drop:")) {
    const name = what.slice(5);
    if (!/^rampart_tpl_[0-9a-f]+$/.test(name)) throw new Error(`refusing to drop ${name}`);
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } else {
    throw new Error(`unknown target: ${what}`);
  }
}

try {
  await prepare(process.argv[2] ?? "");
} catch (err) {
  if (!(err instanceof DatabaseUnavailableError)) throw err;
  process.stderr.write(`npm test: ${err.message}\n`);
  process.exit(1);
}
