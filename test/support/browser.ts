// Headless Chromium for page tests (Debian's /usr/bin/chromium; playwright cannot download one here).
// Without Chromium a browser test skips with a printed reason, except in CI where it must run.
import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** A reason to skip, or false to run. In CI a missing Chromium is a failure, not a skip. */
export function browserSkipReason(): string | false {
  if (fs.existsSync(CHROMIUM_PATH)) return false;
  if (process.env.CI) throw new Error(`Chromium is required in CI but ${CHROMIUM_PATH} is missing`);
  const reason = `Chromium not found at ${CHROMIUM_PATH} (apt-get install -y chromium)`;
  console.log(`# skipping browser test: ${reason}`);
  return reason;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-sync",
      "--disable-quic",
    ],
  });
}

/** Where screenshots go (kept by CI as test artefacts). */
export function artifactPath(name: string): string {
  const dir = path.resolve("test-artifacts");
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}
