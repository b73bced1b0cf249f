// Helper for scripts/test.mjs: prints the template name or dump path on its last stdout line.
import { adminQuery, preparePGliteDump, preparePostgresTemplate } from "../test/support/test-db.js";

const what = process.argv[2] ?? "";
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
