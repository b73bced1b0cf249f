// The production build bin/rampart.js runs (scripts/build.mjs): made once per state of src/, found only
// while src/ is as it was built, made again (and the old one removed) after an edit. On a small
// repository in a temp dir, so the real build is left alone.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";

interface BuildScript {
  build(root: string): Promise<string>;
  currentBuild(root: string): string | null;
}
// By path from the source's own place (the test may run compiled elsewhere).
const script = pathToFileURL(path.resolve(import.meta.dirname, "../../scripts/build.mjs")).href;
const { build, currentBuild } = (await import(script)) as BuildScript;

function smallRepository(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-build-"));
  fs.writeFileSync(path.join(root, "tsconfig.json"), JSON.stringify({ compilerOptions: { target: "ES2022" } }));
  fs.mkdirSync(path.join(root, "src/main"), { recursive: true });
  fs.writeFileSync(path.join(root, "src/main/cli.ts"), 'import { word } from "./word.js";\nexport const said: string = word;\n');
  fs.writeFileSync(path.join(root, "src/main/word.ts"), 'export const word: string = "first";\n');
  return root;
}

test("a build is found while src/ is as it was built, and made again after an edit", async () => {
  const root = smallRepository();
  try {
    assert.equal(currentBuild(root), null, "nothing built yet");
    const first = await build(root);
    assert.equal(currentBuild(root), first);
    const cli = (await import(pathToFileURL(first).href)) as { said: string };
    assert.equal(cli.said, "first", "the compiled CLI runs, with its imports compiled beside it");

    // Built already: the same files, not compiled again.
    const compiledAt = fs.statSync(first).mtimeMs;
    assert.equal(await build(root), first);
    assert.equal(fs.statSync(first).mtimeMs, compiledAt);

    fs.writeFileSync(path.join(root, "src/main/word.ts"), 'export const word: string = "second";\n');
    assert.equal(currentBuild(root), null, "an edited file makes the build stale");
    const second = await build(root);
    assert.notEqual(second, first);
    assert.equal(currentBuild(root), second);
    assert.equal(fs.existsSync(first), false, "the stale build is removed");

    fs.writeFileSync(path.join(root, "src/main/extra.ts"), "export const n = 1;\n");
    assert.equal(currentBuild(root), null, "a new file makes the build stale");
    await build(root);
    fs.writeFileSync(path.join(root, "tsconfig.json"), JSON.stringify({ compilerOptions: { target: "ES2020" } }));
    assert.equal(currentBuild(root), null, "other compiler options make the build stale");
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test("a build removes the partial folder a killed build left, and keeps one a running build is filling", async () => {
  const root = smallRepository();
  try {
    const builds = path.join(root, "node_modules/.cache/rampart-build");
    // A process that has exited: its pid names a build killed midway.
    const exited = spawnSync(process.execPath, ["-e", "0"]).pid!;
    const killed = path.join(builds, `0123456789abcdef.partial-${exited}`);
    const filling = path.join(builds, `fedcba9876543210.partial-${process.pid}`);
    for (const dir of [killed, filling]) fs.mkdirSync(path.join(dir, "src"), { recursive: true });
    await build(root);
    assert.equal(fs.existsSync(killed), false, "the killed build's partial folder is removed");
    assert.equal(fs.existsSync(filling), true, "a running build's partial folder is left to it");
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
