#!/usr/bin/env node
// `npm test`: prepares the databases once (a migrated PostgreSQL template when DATABASE_URL is set,
// a dumped PGlite data dir otherwise), compiles src/ and test/ once (compile-tree.mjs), then runs
// node's test runner over an explicit list of the compiled test files (never a quoted glob, never
// zero files), then drops the template and the compiled tree. A single file still runs on its own
// with `node --import tsx --test test/....test.ts`.
// `--pglite` forces PGlite even when DATABASE_URL is set.
// Extra arguments select test files or folders of them; `--test-*` options go to node's test runner.
import { randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { compileTree, processRunning } from "./compile-tree.mjs";

const args = process.argv.slice(2);
const forcePGlite = args.includes("--pglite");
const selected = args.filter((a) => !a.startsWith("--"));
// Options of node's test runner (--test-reporter=..., --test-name-pattern=...) pass straight through.
const runnerOptions = args.filter((a) => a.startsWith("--test-"));

function listTests(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".test.ts"))
    .map((e) => path.join(e.parentPath ?? e.path, e.name))
    .sort();
}

// One pool for every file, two at a time. Node 20's runner starts the files in path order whatever
// order they are given in; that order already starts the browser files (the longest) first.
const expand = (f) => (fs.statSync(f, { throwIfNoEntry: false })?.isDirectory() ? listTests(f) : [f]);
const files = selected.length ? selected.flatMap(expand) : listTests("test");
if (files.length === 0) {
  console.error("No test files found.");
  process.exit(1);
}

const env = { ...process.env };
if (forcePGlite) env.RAMPART_TEST_PGLITE = "1";
const usePostgres = Boolean(env.DATABASE_URL) && env.RAMPART_TEST_PGLITE !== "1";

function prepare(what) {
  const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/prepare-test-db.ts", what], {
    env,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
  return r.stdout.trim().split("\n").pop();
}

let template = null;
if (usePostgres) {
  template = prepare("postgres");
  env.RAMPART_TEST_PG_TEMPLATE = template;
  console.log(`Tests on PostgreSQL (template ${template}), ${files.length} files`);
} else {
  env.RAMPART_TEST_PGLITE_DUMP = prepare("pglite");
  console.log(`Tests on PGlite, ${files.length} files`);
}

// The runner's timeout only catches hangs. It also bounds each whole file, and a long browser file
// (several pages, each checked with axe at two sizes) needed more than 5 minutes on a 2-core machine at
// load 20, so the bound is 15 minutes: far above any passing file, still well inside CI's time.
const HANG_TIMEOUT_MS = 900_000;

// Under node_modules, so the compiled files resolve the packages; one tree per run, named by its
// process, so two runs in one checkout do not overwrite each other's. A run that was killed could not
// remove its tree: the trees of processes no longer running are removed here.
const buildRoot = path.resolve("node_modules/.cache/rampart-tests");
for (const name of fs.existsSync(buildRoot) ? fs.readdirSync(buildRoot) : []) {
  if (!processRunning(Number.parseInt(name, 10))) fs.rmSync(path.join(buildRoot, name), { recursive: true, force: true });
}
const buildDir = path.join(buildRoot, `${process.pid}-${randomBytes(3).toString("hex")}`);
const compiledPath = await compileTree(process.cwd(), buildDir, ["src", "test"]);
// Children the tests start load the compiled tree too (test/support/node-entry.ts).
env.RAMPART_TEST_BUILD = buildDir;

function runTests(list, concurrency) {
  const r = spawnSync(
    process.execPath,
    ["--enable-source-maps", "--test", `--test-concurrency=${concurrency}`, `--test-timeout=${HANG_TIMEOUT_MS}`, ...runnerOptions, ...list.map(compiledPath)],
    { env, stdio: "inherit" },
  );
  return r.status ?? 1;
}

const status = runTests(files, env.RAMPART_TEST_CONCURRENCY ?? "2");

fs.rmSync(buildDir, { recursive: true, force: true });
if (template) prepare(`drop:${template}`);
if (env.RAMPART_TEST_PGLITE_DUMP) fs.rmSync(env.RAMPART_TEST_PGLITE_DUMP, { force: true });
process.exit(status);
