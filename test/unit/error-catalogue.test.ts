import assert from "node:assert/strict";
import fs from "node:fs";
import { test } from "node:test";
import { ERROR_CATALOGUE } from "../../src/core/shared/errors.js";

test("docs/errors.md lists every error code with its status", () => {
  const doc = fs.readFileSync("docs/errors.md", "utf8");
  const missing = Object.entries(ERROR_CATALOGUE).filter(
    ([code, e]) => !new RegExp(`^\\|\\s*\`${code}\`\\s*\\|\\s*${e.status}\\s*\\|`, "m").test(doc),
  );
  assert.deepEqual(missing.map(([c]) => c), []);
});

test("error codes are stable snake_case", () => {
  for (const code of Object.keys(ERROR_CATALOGUE)) assert.match(code, /^[a-z][a-z0-9_]*$/);
});
