// Compiles TypeScript trees of this repository to JavaScript, file by file with esbuild (the compiler tsx
// itself uses), for two callers:
//  - `npm test` (test.mjs) compiles src/ and test/ once per run, so the test files load as plain
//    modules. Under `--import tsx` every module a test process loads (node_modules too) goes through
//    tsx's loader hooks, which Node 20 runs in a separate thread and reaches by message; loading the
//    harness cost ~5 s of CPU per test file that way against ~1.5 s compiled, and the suite starts ~250
//    test processes on 2 cores;
//  - `npm install` (build.mjs, the prepare script) compiles src/ for bin/rampart.js.
//
// Each compiled file keeps its source's place: import.meta.url and import.meta.dirname are replaced by
// the source's own, so paths built from them (migrations, locales, fixtures, the CLI to spawn) are the
// repository's, and an inline source map points stack traces at the .ts lines.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

/**
 * True while the process `pid` runs (signal 0 only checks; EPERM: it runs as another user). Both
 * callers name a tree they compile into by their process, and remove the trees of processes that no
 * longer run: a build killed midway could not remove its own.
 */
export function processRunning(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === "EPERM";
  }
}

/** The .ts files under `dir` (declaration files left out), each as `dir` joined with its path below it. */
export function listTs(dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts"))
    .map((e) => path.join(e.parentPath ?? e.path, e.name));
}

/**
 * Compiles the .ts files of `dirs` (relative to the repository at `root`) into `outDir` (created; it
 * must lie under `root` so the compiled files find root's node_modules) and returns a function from a
 * source path to its compiled path.
 */
export async function compileTree(root, outDir, dirs) {
  // Loaded here, not at the top: bin/rampart.js reads listTs at every start and compiles nothing.
  const { transform } = await import("esbuild");
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, "package.json"), JSON.stringify({ type: "module" }));
  // The project's own compiler options (target, verbatimModuleSyntax), as tsx reads them.
  const { compilerOptions } = JSON.parse(fs.readFileSync(path.join(root, "tsconfig.json"), "utf8"));
  const files = dirs.flatMap((d) => listTs(path.join(root, d)));
  const compiledPath = (file) => path.join(outDir, path.relative(root, path.resolve(root, file))).replace(/\.ts$/, ".js");
  await Promise.all(
    files.map(async (file) => {
      const out = await transform(fs.readFileSync(file, "utf8"), {
        loader: "ts",
        format: "esm",
        platform: "node",
        target: "node20",
        sourcemap: "inline",
        sourcefile: file,
        tsconfigRaw: { compilerOptions },
        define: {
          "import.meta.url": JSON.stringify(pathToFileURL(file).href),
          "import.meta.dirname": JSON.stringify(path.dirname(file)),
        },
      });
      const target = compiledPath(file);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, out.code);
    }),
  );
  return compiledPath;
}
