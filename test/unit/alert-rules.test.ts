// The Prometheus alert rules (deploy/prometheus/alerts.yml) are valid (`promtool check rules`), fire
// as their unit tests say (`promtool test rules alerts.test.yml`), and each has its runbook section in
// docs/operations.md. promtool is required in CI (.ci/run installs it); elsewhere a machine without it
// skips the two promtool tests and says why.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";

const DIR = path.resolve(import.meta.dirname, "../../deploy/prometheus");
const RULES = path.join(DIR, "alerts.yml");

function promtoolMissing(): string | false {
  const probe = spawnSync("promtool", ["--version"], { encoding: "utf8" });
  if (probe.error === undefined && probe.status === 0) return false;
  if (process.env.CI) assert.fail("promtool is not installed: CI must install it (Debian package prometheus; see .ci/run)");
  const reason = "promtool is not installed (Debian package prometheus); skipped outside CI";
  console.log(`# ${reason}`);
  return reason;
}

function promtool(args: string[]): string {
  const r = spawnSync("promtool", args, { cwd: DIR, encoding: "utf8" });
  assert.equal(r.status, 0, `promtool ${args.join(" ")}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

test("promtool check rules: alerts.yml is valid", (t) => {
  const skip = promtoolMissing();
  if (skip) return t.skip(skip);
  assert.match(promtool(["check", "rules", "alerts.yml"]), /SUCCESS: \d+ rules found/);
});

test("promtool test rules: every alert fires (and stays quiet) as alerts.test.yml expects", (t) => {
  const skip = promtoolMissing();
  if (skip) return t.skip(skip);
  assert.match(promtool(["test", "rules", "alerts.test.yml"]), /SUCCESS/);
});

const alertNames = () => [...fs.readFileSync(RULES, "utf8").matchAll(/^\s*- alert: (\w+)$/gm)].map((m) => m[1]!);

test("every alert has a unit test and a runbook section in docs/operations.md", () => {
  const names = alertNames();
  assert.ok(names.length >= 15, `alerts found: ${names.join(", ")}`);
  const tests = fs.readFileSync(path.join(DIR, "alerts.test.yml"), "utf8");
  const headings = new Set([...fs.readFileSync(path.resolve(DIR, "../../docs/operations.md"), "utf8").matchAll(/^#{2,4} (\w+)$/gm)].map((m) => m[1]!));
  for (const name of names) {
    assert.match(tests, new RegExp(`alertname: ${name}\\n`), `${name} has a promtool test`);
    assert.ok(headings.has(name), `docs/operations.md has a "### ${name}" runbook section`);
    assert.match(fs.readFileSync(RULES, "utf8"), new RegExp(`runbook: "docs/operations.md#${name.toLowerCase()}"`), `${name} links its runbook`);
  }
});
