// What every hosted page must pass in a browser test, at phone (390×844) and desk (1280×800) size:
// a screenshot kept as an artefact, no horizontal scrolling (nothing wider than the viewport), and the
// axe-core accessibility rules (colour contrast included) without a violation.
import assert from "node:assert/strict";
import fs from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";
import { artifactPath } from "./browser.js";

export const VIEWPORTS = [
  { name: "phone", width: 390, height: 844 },
  { name: "desk", width: 1280, height: 800 },
] as const;

// axe-core is a dev dependency: a missing bundle is an install fault, not a reason to skip the rules.
const AXE = fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** Screenshot `name` (full page) and fail on a page wider than its viewport or an axe violation. */
export async function checkPage(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: artifactPath(`${name}.png`), fullPage: true });
  // Strings: the tests are compiled without the DOM library.
  const width = (await page.evaluate("({ scroll: document.documentElement.scrollWidth, viewport: window.innerWidth })")) as { scroll: number; viewport: number };
  assert.ok(width.scroll <= width.viewport, `${name}: the page is ${width.scroll} px wide in a ${width.viewport} px viewport`);
  // Once per document: checkBothSizes checks one page at two sizes, and adding the half-megabyte bundle
  // again took 1.5-4 s each time on a loaded 2-core machine. A navigation drops it, so it comes back.
  if (!(await page.evaluate("typeof window.axe?.run === 'function'"))) await page.addScriptTag({ content: AXE });
  const violations = (await page.evaluate(
    "axe.run(document).then((r) => r.violations.map((v) => v.id + ': ' + v.nodes.map((n) => JSON.stringify(n.target)).join(', ')))",
  )) as string[];
  assert.deepEqual(violations, [], `${name}: axe-core violations`);
}

/** checkPage at phone and desk size (`name-390`, `name-1280`), then back to the phone size. */
export async function checkBothSizes(page: Page, name: string): Promise<void> {
  for (const v of [VIEWPORTS[1], VIEWPORTS[0]]) {
    await page.setViewportSize({ width: v.width, height: v.height });
    await checkPage(page, `${name}-${v.width}`);
  }
}

/** No visible paragraph, heading or list item repeats another word for word. */
export async function assertNoRepeatedSentence(page: Page, label: string): Promise<void> {
  const texts = await page.$$eval("main h1, main h2, main h3, main p, main li", (els) =>
    els
      .filter((e) => (e as unknown as { offsetParent: unknown }).offsetParent !== null)
      .map((e) => (e.textContent ?? "").replace(/\s+/g, " ").trim())
      .filter((t) => t.length > 0),
  );
  const seen = new Set<string>();
  for (const t of texts) {
    assert.ok(!seen.has(t), `${label}: "${t}" is shown twice`);
    seen.add(t);
  }
}
