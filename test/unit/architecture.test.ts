// Imports point inward only (README.md#layout): core imports nothing outside core; db and adapters never
// import http, jobs, cli or main; app never imports http, cli or main.
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

function relativeImports(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  return [...text.matchAll(/(?:from|import)\s*\(?\s*["'](\.[^"']+)["']/g)].map((m) =>
    path.relative(SRC, path.resolve(path.dirname(file), m[1]!)),
  );
}

const RULES: Record<string, string[]> = {
  core: ["app", "db", "adapters", "http", "jobs", "cli", "main", "config"],
  db: ["app", "adapters", "http", "jobs", "cli", "main"],
  adapters: ["db", "http", "jobs", "cli", "main"],
  app: ["http", "cli", "main"],
  http: ["cli", "main"],
  jobs: ["http", "cli", "main"],
};

for (const [layer, forbidden] of Object.entries(RULES)) {
  test(`src/${layer} does not import ${forbidden.join(", ")}`, () => {
    const violations = filesUnder(layer).flatMap((file) =>
      relativeImports(file)
        .filter((target) => forbidden.includes(target.split(path.sep)[0]!))
        .map((target) => `${path.relative(SRC, file)} -> ${target}`),
    );
    assert.deepEqual(violations, []);
  });
}
