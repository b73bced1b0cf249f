// The served OpenAPI document carries a real example for every request body, and each example is
// accepted by the schema it illustrates, checked with the validator the routes use. A new route
// without one fails here, named by its operation.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { requestAjv } from "../../src/http/plugins/validation.js";
import { createHarness, type Harness } from "../support/harness.js";

interface Media {
  schema?: object;
  example?: unknown;
  examples?: Record<string, { value: unknown }>;
}
type Operations = Record<string, Record<string, { requestBody?: { content: Record<string, Media> } }>>;

let h: Harness;
before(async () => {
  h = await createHarness();
});
after(async () => {
  await h.close();
});

test("every request body in the OpenAPI document has an example that its own schema accepts", async () => {
  const res = await h.app.inject({ method: "GET", url: "/openapi.json" });
  assert.equal(res.statusCode, 200);
  const paths = (res.json() as { paths: Operations }).paths;
  const ajv = requestAjv("body");
  const problems: string[] = [];
  let checked = 0;
  for (const [path, operations] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(operations)) {
      for (const [contentType, media] of Object.entries(op.requestBody?.content ?? {})) {
        const name = `${method.toUpperCase()} ${path} (${contentType})`;
        const examples = media.example !== undefined ? [media.example] : Object.values(media.examples ?? {}).map((e) => e.value);
        if (examples.length === 0) {
          problems.push(`${name}: no example (add \`examples: [...]\` to its body schema)`);
          continue;
        }
        const validate = ajv.compile(media.schema ?? {});
        for (const [i, example] of examples.entries()) {
          checked++;
          if (!validate(example)) problems.push(`${name}: example ${i + 1} is refused by its schema: ${ajv.errorsText(validate.errors)}`);
        }
      }
    }
  }
  assert.deepEqual(problems, []);
  assert.ok(checked > 0, "the document has request bodies");
});
