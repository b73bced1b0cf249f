#!/usr/bin/env node
// `npm test`: prepares the databases once (a migrated PostgreSQL template when DATABASE_URL is set,
// a dumped PGlite data dir otherwise), then runs node's test runner over an explicit file list
// (never a quoted glob, never zero files), then drops the template.
// `--pglite` forces PGlite even when DATABASE_URL is set. Extra arguments select test files;
// `--test-*` options go to node's test runner.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

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

// test/processes/ spawns servers and workers and times them: it runs after the rest, one file at a
// time, so its timings measure Rampart and not the other test files sharing the two cores.
const all = selected.length ? selected : listTests("test");
const isProcessTest = (f) => f.split(path.sep).includes("processes");
const files = all.filter((f) => !isProcessTest(f));
const processFiles = all.filter(isProcessTest);
if (files.length + processFiles.length === 0) {
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
  console.log(`Tests on PostgreSQL (template ${template}), ${all.length} files`);
} else {
  env.RAMPART_TEST_PGLITE_DUMP = prepare("pglite");
  console.log(`Tests on PGlite, ${all.length} files`);
}

function runTests(list, concurrency) {
  if (list.length === 0) return 0;
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", "--test", `--test-concurrency=${concurrency}`, "--test-timeout=300000", ...runnerOptions, ...list],
    { env, stdio: "inherit" },
  );
  return r.status ?? 1;
}

const status = Math.max(runTests(files, env.RAMPART_TEST_CONCURRENCY ?? "2"), runTests(processFiles, "1"));

if (template) prepare(`drop:${template}`);
if (env.RAMPART_TEST_PGLITE_DUMP) fs.rmSync(env.RAMPART_TEST_PGLITE_DUMP, { force: true });
process.exit(status);
