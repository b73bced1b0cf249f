// No dead exports: every name a module under src/ exports is imported by some other module (src/,
// test/, bench/, scripts/ or bin/). Read with the TypeScript compiler API: named imports, re-exports,
// `import * as` (counts every export of that module) and `const { a } = await import("…")`.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import ts from "typescript";

const ROOT = path.resolve(import.meta.dirname, "../..");
const SCANNED = ["src", "test", "bench", "scripts", "bin"];

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" ? [] : filesUnder(p);
    return /\.(ts|js|mjs)$/.test(e.name) ? [p] : [];
  });
}

/** "./x.js" from `from` → the .ts (or .js) file it names, or null for a package. */
function resolve(from: string, spec: string): string | null {
  if (!spec.startsWith(".")) return null;
  const base = path.resolve(path.dirname(from), spec);
  for (const c of [base.replace(/\.js$/, ".ts"), base, `${base}.ts`]) if (fs.existsSync(c)) return c;
  return null;
}

function sourceOf(file: string): ts.SourceFile {
  return ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
}

/** The names each file exports (declarations with `export`, and `export { a }` lists). */
function exportsOf(sf: ts.SourceFile): string[] {
  const names: string[] = [];
  for (const st of sf.statements) {
    const mods = ts.canHaveModifiers(st) ? ts.getModifiers(st) : undefined;
    if (mods?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
      if (ts.isVariableStatement(st)) {
        for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name)) names.push(d.name.text);
      } else if ("name" in st && st.name && ts.isIdentifier(st.name as ts.Node)) {
        names.push((st.name as ts.Identifier).text);
      }
    } else if (ts.isExportDeclaration(st) && !st.moduleSpecifier && st.exportClause && ts.isNamedExports(st.exportClause)) {
      for (const e of st.exportClause.elements) names.push(e.name.text);
    }
  }
  return names;
}

/** `file → names` imported from it by the scanned files; "*" when a whole namespace is taken. */
function importedNames(files: string[]): Map<string, Set<string>> {
  const used = new Map<string, Set<string>>();
  const mark = (file: string | null, name: string) => {
    if (!file) return;
    if (!used.has(file)) used.set(file, new Set());
    used.get(file)!.add(name);
  };
  for (const file of files) {
    const sf = sourceOf(file);
    const visit = (node: ts.Node) => {
      if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
        const target = resolve(file, node.moduleSpecifier.text);
        if (ts.isImportDeclaration(node)) {
          const b = node.importClause?.namedBindings;
          if (node.importClause?.name) mark(target, "default");
          if (b && ts.isNamespaceImport(b)) mark(target, "*");
          if (b && ts.isNamedImports(b)) for (const e of b.elements) mark(target, (e.propertyName ?? e.name).text);
        } else if (!node.exportClause) mark(target, "*");
        else if (ts.isNamedExports(node.exportClause)) for (const e of node.exportClause.elements) mark(target, (e.propertyName ?? e.name).text);
      }
      // const { a, b } = await import("./x.js")
      if (ts.isVariableDeclaration(node) && ts.isObjectBindingPattern(node.name) && node.initializer) {
        const init = ts.isAwaitExpression(node.initializer) ? node.initializer.expression : node.initializer;
        if (ts.isCallExpression(init) && init.expression.kind === ts.SyntaxKind.ImportKeyword && init.arguments[0] && ts.isStringLiteral(init.arguments[0])) {
          const target = resolve(file, init.arguments[0].text);
          for (const e of node.name.elements) {
            const key = e.propertyName ?? e.name;
            if (ts.isIdentifier(key)) mark(target, key.text);
          }
          return;
        }
      }
      // import("./x.js") used otherwise (e.g. .then(m => m.a)): every export counts
      if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
        mark(resolve(file, node.arguments[0].text), "*");
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return used;
}

test("every export of src/ is imported somewhere else", () => {
  const all = SCANNED.flatMap((d) => filesUnder(path.join(ROOT, d)));
  const used = importedNames(all);
  const unused: string[] = [];
  for (const file of all.filter((f) => f.startsWith(path.join(ROOT, "src")) && f.endsWith(".ts"))) {
    const names = used.get(file);
    if (names?.has("*")) continue;
    for (const name of exportsOf(sourceOf(file))) if (!names?.has(name)) unused.push(`${path.relative(ROOT, file)}: ${name}`);
  }
  assert.deepEqual(unused, [], "exports nothing imports: remove them, or drop the export keyword if the module uses them itself");
});
