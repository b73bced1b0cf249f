import assert from "node:assert/strict";
import { test } from "node:test";
import { html, jsonForScript, raw } from "../../src/http/pages/html.js";

test("interpolations are escaped by default", () => {
  const name = `<script>alert("x")</script>&'`;
  assert.equal(html`<p>${name}</p>`.value, "<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</p>");
});

test("nested templates and arrays are not double-escaped; null/false render nothing", () => {
  const items = ["a<b", "c"].map((x) => html`<li>${x}</li>`);
  assert.equal(html`<ul>${items}</ul>${null}${false}${raw("<hr>")}`.value, "<ul><li>a&lt;b</li><li>c</li></ul><hr>");
});

test("data for scripts cannot close the script element", () => {
  assert.equal(jsonForScript({ a: "</script>" }).value, '{"a":"\\u003c/script>"}');
});
