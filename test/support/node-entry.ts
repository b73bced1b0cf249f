// The node arguments that start one of this repository's TypeScript files in a child process.
// `npm test` (scripts/test.mjs) compiles the tree once and names it in RAMPART_TEST_BUILD: a child then
// loads the compiled file, as the test processes do, instead of going through tsx's loader hooks, which
// cost ~3 s of CPU per process on a 2-core machine (the suite starts about a hundred such children).
// A test file run on its own (`node --import tsx --test ...`) starts the source through tsx.
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** `file` is relative to the repository's root, e.g. "src/main/cli.ts". */
export function nodeEntry(file: string): string[] {
  const build = process.env.RAMPART_TEST_BUILD;
  return build ? ["--enable-source-maps", path.join(build, file.replace(/\.ts$/, ".js"))] : ["--import", "tsx", path.join(ROOT, file)];
}
