// Every Markdown file the code, the tests and the docs cite must be in the repository, and a cited
// section (`<file>.md#<anchor>`) must be a heading of that file: a comment that sends the next
// engineer to a document they cannot open is as misleading as a wrong one.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";

const ROOT = process.cwd();

function filesUnder(dir: string, ext: string): string[] {
  return fs
    .readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(ext))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const m = fenced ? null : /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const slug = m[1]!.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

interface Citation {
  where: string;
  target: string;
  anchor: string | null;
  /** Markdown links are relative to their file; code may also cite from the root or docs/. */
  relativeOnly: boolean;
}

/** `<path>.md` and `<path>.md#<section>` anywhere in a file (comments, strings, prose). */
function codeCitations(file: string): Citation[] {
  const out: Citation[] = [];
  fs.readFileSync(path.join(ROOT, file), "utf8")
    .split("\n")
    .forEach((line, i) => {
      for (const m of line.matchAll(/([\w./-]*[\w-]\.md)\b(?:#([\w-]+))?/g)) {
        if (m[1]!.startsWith("//")) continue; // part of a URL
        out.push({ where: `${file}:${i + 1}`, target: m[1]!, anchor: m[2] ?? null, relativeOnly: false });
      }
    });
  return out;
}

/** Relative Markdown links: `[text](<path>.md)`, `[text](<path>.md#<section>)` and `[text](#<section>)`. */
function markdownCitations(file: string): Citation[] {
  const out: Citation[] = [];
  fs.readFileSync(path.join(ROOT, file), "utf8")
    .split("\n")
    .forEach((line, i) => {
      for (const m of line.matchAll(/\]\(([^)\s#]*\.md)?(?:#([^)\s]+))?\)/g)) {
        if (m[1] === undefined && m[2] === undefined) continue;
        if (/^[a-z]+:/i.test(m[1] ?? "")) continue; // an absolute URL
        out.push({ where: `${file}:${i + 1}`, target: m[1] ?? path.basename(file), anchor: m[2] ?? null, relativeOnly: true });
      }
    });
  return out;
}

/** The cited file: next to the citing file, or (from code) from the repository root or docs/. */
function resolveCitation(c: Citation): string | null {
  const nextTo = path.join(path.dirname(c.where.split(":")[0]!), c.target);
  for (const candidate of c.relativeOnly ? [nextTo] : [nextTo, c.target, path.join("docs", c.target)]) {
    const full = path.resolve(ROOT, candidate);
    if (full.startsWith(ROOT + path.sep) && fs.existsSync(full) && fs.statSync(full).isFile()) return full;
  }
  return null;
}

function unresolved(citations: Citation[]): string[] {
  const problems: string[] = [];
  for (const c of citations) {
    const file = resolveCitation(c);
    const cited = `${c.target}${c.anchor ? `#${c.anchor}` : ""}`;
    if (file === null) problems.push(`${c.where}: ${cited} is not in the repository`);
    else if (c.anchor !== null && !headingAnchors(fs.readFileSync(file, "utf8")).has(c.anchor)) {
      problems.push(`${c.where}: ${cited} has no such section`);
    }
  }
  return problems;
}

test("headings give GitHub's anchors", () => {
  const anchors = headingAnchors("# Card pay-in (`/v3`)\n## Pay and 3-D Secure\n```sh\n# not a heading\n```\n## Errors\n## Errors\n");
  assert.deepEqual([...anchors], ["card-pay-in-v3", "pay-and-3-d-secure", "errors", "errors-1"]);
});

test("every .md file cited in src/ and test/ is in the repository, with the cited section", () => {
  const citations = [...filesUnder("src", ".ts"), ...filesUnder("test", ".ts")].flatMap(codeCitations);
  assert.ok(citations.length > 0, "the scan finds citations (docs/errors.md at least)");
  assert.deepEqual(unresolved(citations), []);
});

test("every relative .md link in README.md and docs/ resolves, with the linked section", () => {
  const citations = ["README.md", ...filesUnder("docs", ".md")].flatMap(markdownCitations);
  assert.ok(citations.length > 0, "the scan finds links (README.md links docs/webhooks.md at least)");
  assert.deepEqual(unresolved(citations), []);
});
