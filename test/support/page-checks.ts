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

/** axe-core's browser bundle, when the package is installed (see checkPage). */
function axeSource(): string | null {
  try {
    return fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  } catch {
    return null;
  }
}
const AXE = axeSource();
if (!AXE) console.log("# axe-core is not installed: page tests check width and take screenshots, but run no accessibility rules");

/** Screenshot `name` (full page) and fail on a page wider than its viewport or an axe violation. */
export async function checkPage(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: artifactPath(`${name}.png`), fullPage: true });
  // Strings: the tests are compiled without the DOM library.
  const width = (await page.evaluate("({ scroll: document.documentElement.scrollWidth, viewport: window.innerWidth })")) as { scroll: number; viewport: number };
  assert.ok(width.scroll <= width.viewport, `${name}: the page is ${width.scroll} px wide in a ${width.viewport} px viewport`);
  if (!AXE) return;
  await page.addScriptTag({ content: AXE });
  const violations = (await page.evaluate(
    "axe.run(document).then((r) => r.violations.map((v) => v.id + ': ' + v.nodes.map((n) => JSON.stringify(n.target)).join(', ')))",
  )) as string[];
  assert.deepEqual(violations, [], `${name}: axe-core violations`);
}
