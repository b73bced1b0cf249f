// Imports point inward only (README.md#layout). Each rule below fails the suite when one import breaks
// it, naming the file and the import:
// - core imports nothing outside core; db and adapters never import http, jobs, cli or main; app never
//   imports http, cli, main or adapters (outside parties are reached through app/ports.ts);
// - http, jobs and cli call app: no db function and nothing from kysely at run time (`import type` of
//   a row shape that an app function returns is allowed: it reads nothing), and they open no
//   transaction (the use case owns it);
// - cli never imports main (main hands the commands a CliRuntime), and no cycle between top-level folders;
// - the CLI entry loads only the command table before parsing arguments: a command's modules load when
//   it runs, so `rampart <command> --help` never loads the gateway.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";

const SRC = path.resolve(import.meta.dirname, "../../src");

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(path.join(SRC, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => path.join(e.parentPath, e.name));
}

interface Import {
  /** A path relative to src/ for a relative import, else the package name. */
  target: string;
  /** `import type` / `export type`: erased at run time. */
  typeOnly: boolean;
  /** `import("...")`: loaded when that line runs, not with the module. */
  dynamic: boolean;
}

const STATIC = /^\s*(?:import|export)\s+(type\s+)?(?:[^;'"]*?\s+from\s+)?["']([^"']+)["']/gm;
const DYNAMIC = /import\(\s*["']([^"']+)["']\s*\)/g;

function imports(file: string): Import[] {
  const text = fs.readFileSync(file, "utf8");
  const resolve = (spec: string) => (spec.startsWith(".") ? path.relative(SRC, path.resolve(path.dirname(file), spec)) : spec);
  return [
    ...[...text.matchAll(STATIC)].map((m) => ({ target: resolve(m[2]!), typeOnly: Boolean(m[1]), dynamic: false })),
    ...[...text.matchAll(DYNAMIC)].map((m) => ({ target: resolve(m[1]!), typeOnly: false, dynamic: true })),
  ];
}

const topFolder = (target: string) => target.split(path.sep)[0]!;
const FOLDERS = fs.readdirSync(SRC, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);

function violations(layer: string, broken: (i: Import) => boolean): string[] {
  return filesUnder(layer).flatMap((file) =>
    imports(file)
      .filter(broken)
      .map((i) => `${path.relative(SRC, file)} -> ${i.target}${i.typeOnly ? " (type)" : ""}`),
  );
}

const RULES: Record<string, string[]> = {
  core: ["app", "db", "adapters", "http", "jobs", "cli", "main", "config"],
  db: ["app", "adapters", "http", "jobs", "cli", "main"],
  adapters: ["db", "http", "jobs", "cli", "main"],
  app: ["http", "cli", "main", "adapters"],
  http: ["cli", "main"],
  jobs: ["http", "cli", "main"],
  cli: ["main"],
};

for (const [layer, forbidden] of Object.entries(RULES)) {
  test(`src/${layer} does not import ${forbidden.join(", ")}`, () => {
    assert.deepEqual(
      violations(layer, (i) => forbidden.includes(topFolder(i.target))),
      [],
    );
  });
}

for (const layer of ["http", "jobs", "cli"]) {
  test(`src/${layer} reads the database only through app: no db or kysely import at run time`, () => {
    assert.deepEqual(
      violations(layer, (i) => !i.typeOnly && (topFolder(i.target) === "db" || i.target === "kysely" || i.target.startsWith("kysely/"))),
      [],
    );
  });
}

test("src/http, jobs and cli open no transaction: the use case they call owns it", () => {
  const opened = ["http", "jobs", "cli"].flatMap((layer) =>
    filesUnder(layer).filter((file) => /\.transaction\(\)/.test(fs.readFileSync(file, "utf8"))).map((file) => path.relative(SRC, file)),
  );
  assert.deepEqual(opened, []);
});

test("no cycle between top-level folders of src/", () => {
  const edges = new Map<string, Set<string>>(FOLDERS.map((f) => [f, new Set<string>()]));
  for (const from of FOLDERS) {
    for (const file of filesUnder(from)) {
      for (const i of imports(file)) {
        const to = topFolder(i.target);
        if (to !== from && edges.has(to)) edges.get(from)!.add(to);
      }
    }
  }
  // A path from `to` back to `from` closes a cycle through the edge from -> to.
  const reaches = (start: string, goal: string): string[] | null => {
    const seen = new Set<string>();
    const walk = (at: string, trail: string[]): string[] | null => {
      if (at === goal) return trail;
      if (seen.has(at)) return null;
      seen.add(at);
      for (const next of edges.get(at) ?? []) {
        const found = walk(next, [...trail, next]);
        if (found) return found;
      }
      return null;
    };
    return walk(start, [start]);
  };
  const cycles = new Set<string>();
  for (const [from, tos] of edges) {
    for (const to of tos) {
      const back = reaches(to, from);
      if (back) cycles.add([from, ...back].join(" -> "));
    }
  }
  assert.deepEqual([...cycles], []);
});

test("README's Layout and docs/architecture.md name every top-level folder of src/", () => {
  const root = path.resolve(SRC, "..");
  const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
  const layout = readme.slice(readme.indexOf("## Layout"));
  const architecture = fs.readFileSync(path.join(root, "docs/architecture.md"), "utf8");
  const missing = FOLDERS.flatMap((f) => [
    ...(layout.includes(`src/${f}/`) ? [] : [`README.md Layout: src/${f}/`]),
    ...(architecture.includes(`\`src/${f}/\``) ? [] : [`docs/architecture.md: src/${f}/`]),
  ]);
  assert.deepEqual(missing, []);
});

test("no module of src/ is imported for its side effects only (nothing registers itself on import)", () => {
  const bare = FOLDERS.flatMap((folder) =>
    filesUnder(folder).flatMap((file) =>
      [...fs.readFileSync(file, "utf8").matchAll(/^\s*import\s*["']([^"']+)["']/gm)].map((m) => `${path.relative(SRC, file)} -> ${m[1]}`),
    ),
  );
  assert.deepEqual(bare, []);
});

test("the CLI entry loads only the command table: a command's modules are imported when it runs", () => {
  // Every module src/main/cli.ts loads at startup: its static run-time imports, followed through src/.
  const loaded = new Set<string>();
  const visit = (rel: string) => {
    if (loaded.has(rel)) return;
    loaded.add(rel);
    for (const i of imports(path.join(SRC, rel))) {
      // A package subpath ends in .js too (@noble/hashes/sha3.js): only src/'s own modules are followed.
      if (!i.typeOnly && !i.dynamic && i.target.endsWith(".js") && FOLDERS.includes(topFolder(i.target))) visit(i.target.replace(/\.js$/, ".ts"));
    }
  };
  visit("main/cli.ts");
  // core/shared/uuid.ts: --merchant is checked as a uuid before a command loads (one regex, no imports).
  assert.deepEqual([...loaded].sort(), [
    "cli/command.ts",
    "cli/commands.ts",
    "config/config.ts",
    "config/evm-config.ts",
    "config/evm-deposit-config.ts",
    "config/evm-keystore.ts",
    "config/withdrawal-config.ts",
    "core/shared/http-url.ts",
    "core/shared/uuid.ts",
    "main/cli-runtime.ts",
    "main/cli.ts",
  ]);
});
