#!/usr/bin/env node
// The production build: src/ compiled to JavaScript (compile-tree.mjs) in a folder named by a hash of
// the sources it was compiled from, which bin/rampart.js runs while src/ still hashes the same. npm
// runs this file after every `npm install` and `npm ci` (the prepare script); `node scripts/build.mjs`
// builds again by hand, printing the compiled CLI's path.
//
// Why: through tsx every start compiled src/ again, in a loader thread. On a 2-core machine
// (2026-12-07) `rampart start --role api` took 4.6 s and 7.0 s of CPU to listen and kept 250 MB
// resident; from the build, 2.9 s, 3.7 s and 160 MB. Requests cost the same either way.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { compileTree, listTs, processRunning } from "./compile-tree.mjs";

const DIRS = ["src"];
/** The CLI's entry point, relative to the repository's root. */
const ENTRY = "src/main/cli.ts";

/** Under node_modules, so the compiled files resolve the packages; emptied by a fresh install, which builds again. */
const buildsDir = (root) => path.join(root, "node_modules/.cache/rampart-build");

/** A hash of what the build compiles (every .ts file of src/, by path and content) and of the compiler options. */
export function sourcesHash(root) {
  const hash = createHash("sha256");
  hash.update(fs.readFileSync(path.join(root, "tsconfig.json")));
  const files = DIRS.flatMap((d) => listTs(path.join(root, d))).map((f) => path.relative(root, f)).sort();
  for (const file of files) hash.update(`\0${file}\0`).update(fs.readFileSync(path.join(root, file)));
  return hash.digest("hex").slice(0, 16);
}

const compiledEntry = (root, hash) => path.join(buildsDir(root), hash, ENTRY.replace(/\.ts$/, ".js"));

/** The compiled CLI when a build of src/ as it is now exists; null after any edit since. */
export function currentBuild(root) {
  const entry = compiledEntry(root, sourcesHash(root));
  return fs.existsSync(entry) ? entry : null;
}

/**
 * Builds src/ as it is now unless that build exists, and removes the builds of earlier sources. Several
 * processes may build at once (two installs): each compiles into its own folder and renames it into
 * place, and a loser of that race drops its copy and takes the winner's.
 */
export async function build(root) {
  const hash = sourcesHash(root);
  const target = path.join(buildsDir(root), hash);
  if (!fs.existsSync(target)) {
    const partial = `${target}.partial-${process.pid}`;
    fs.rmSync(partial, { recursive: true, force: true });
    await compileTree(root, partial, DIRS);
    try {
      fs.renameSync(partial, target);
    } catch (err) {
      if (!fs.existsSync(target)) throw err;
      fs.rmSync(partial, { recursive: true, force: true });
    }
  }
  // A process still running an older build loaded its modules when it started; its files can go. So
  // can what a build killed midway (an interrupted install) left in its partial folder; a build still
  // compiling keeps its own.
  for (const name of fs.readdirSync(buildsDir(root))) {
    const builder = /\.partial-(\d+)$/.exec(name)?.[1];
    if (builder ? !processRunning(Number(builder)) : name !== hash) fs.rmSync(path.join(buildsDir(root), name), { recursive: true, force: true });
  }
  return compiledEntry(root, hash);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.log(await build(path.resolve(import.meta.dirname, "..")));
}
