// The hardened HTTP client against a real loopback server (the address table is in address-guard.test.ts).
// Only loopback is ever contacted: refused targets are refused before a socket is opened, which the
// server's connection counter proves for the loopback ones.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, beforeEach, test } from "node:test";
import { RESPONSE_BODY_CAP_BYTES, safeRequest } from "../../src/adapters/http/safe-request.js";

let server: http.Server;
let port = 0;
let connections = 0;
const paths: string[] = [];
before(async () => {
  server = http.createServer((req, res) => {
    paths.push(req.url ?? "");
    if (req.url === "/redirect") return res.writeHead(301, { location: `http://127.0.0.1:${port}/target` }).end();
    if (req.url === "/error") return res.writeHead(500).end("boom");
    if (req.url === "/gone") return res.writeHead(410).end();
    if (req.url === "/throttle") return res.writeHead(429, { "retry-after": "120" }).end();
    if (req.url === "/big") return res.writeHead(200).end("x".repeat(RESPONSE_BODY_CAP_BYTES * 4));
    if (req.url === "/exact") return res.writeHead(200).end("x".repeat(RESPONSE_BODY_CAP_BYTES));
    if (req.url === "/hang") return; // never answers: only the client's timeout ends it
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => res.writeHead(200, { "content-type": "text/plain" }).end(`${req.method} ${body}`));
  });
  server.on("connection", () => connections++);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});
after(
  () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
);
beforeEach(() => {
  connections = 0;
  paths.length = 0;
});

const get = (path: string, more: { timeoutMs?: number } = {}) =>
  safeRequest({ method: "GET", url: `http://127.0.0.1:${port}${path}`, allowPrivate: true, ...more });

test("without allowPrivate, loopback literals, names resolving to loopback, and metadata are refused before connecting", async () => {
  for (const url of [
    `http://127.0.0.1:${port}/`,
    `http://[::1]:${port}/`,
    `http://[::ffff:127.0.0.1]:${port}/`,
    `http://0x7f000001:${port}/`, // the URL parser normalises it to 127.0.0.1
    `http://localhost:${port}/`, // refused by the lookup, i.e. at connect time
    "http://169.254.169.254/latest/meta-data",
    "http://[fd00:ec2::254]/latest/meta-data",
  ]) {
    const r = await safeRequest({ method: "POST", url, body: "secret", allowPrivate: false });
    assert.equal(r.kind, "error", url);
    assert.match(r.kind === "error" ? r.error : "", /not allowed/, url);
  }
  assert.equal(connections, 0, "the receiver saw no connection at all");
});

test("with allowPrivate the same loopback receiver is reached, by name and by literal", async () => {
  const named = await safeRequest({ method: "POST", url: `http://localhost:${port}/`, body: "hi", allowPrivate: true });
  assert.equal(named.kind === "response" && named.body, "POST hi");
  const lit = await safeRequest({ method: "POST", url: `http://127.0.0.1:${port}/`, body: "", allowPrivate: true });
  assert.equal(lit.kind === "response" && lit.status, 200);
});

test("only http(s), no credentials in the URL", async () => {
  for (const url of ["ftp://example.com/", "file:///etc/passwd", "gopher://x/", "not a url", `http://user:pw@127.0.0.1:${port}/`]) {
    const r = await safeRequest({ method: "GET", url, allowPrivate: true });
    assert.equal(r.kind, "error", url);
  }
  assert.equal(connections, 0);
});

test("statuses come back as they are: 500, 410, 429 with its Retry-After, and a 301 whose Location is not followed", async () => {
  const e = await get("/error");
  assert.deepEqual(e.kind === "response" && [e.status, e.body, e.truncated], [500, "boom", false]);
  const g = await get("/gone");
  assert.equal(g.kind === "response" && g.status, 410);
  const t = await get("/throttle");
  assert.deepEqual(t.kind === "response" && [t.status, t.headers["retry-after"]], [429, "120"]);
  const r = await get("/redirect");
  assert.equal(r.kind === "response" && r.status, 301);
  assert.deepEqual(paths, ["/error", "/gone", "/throttle", "/redirect"], "/target never requested");
});

test("bodies are capped and flagged when cut; a body of exactly the cap is not", async () => {
  const big = await get("/big");
  assert.deepEqual(big.kind === "response" && [big.status, big.body.length, big.truncated], [200, RESPONSE_BODY_CAP_BYTES, true]);
  const exact = await get("/exact");
  assert.deepEqual(exact.kind === "response" && [exact.body.length, exact.truncated], [RESPONSE_BODY_CAP_BYTES, false]);
});

test("one total timeout; a refused connection is a result", async () => {
  const slow = await get("/hang", { timeoutMs: 300 });
  assert.equal(slow.kind, "error");
  assert.match(slow.kind === "error" ? slow.error : "", /timeout after 300 ms/);
  assert.ok(slow.latencyMs >= 290, String(slow.latencyMs));
  const refused = await safeRequest({ method: "GET", url: "http://127.0.0.1:1/", allowPrivate: true });
  assert.equal(refused.kind, "error");
});

test("headers the HTTP layer refuses give an error result, not a rejected promise", async () => {
  const r = await safeRequest({ method: "POST", url: `http://127.0.0.1:${port}/`, headers: { "x-a": "a\r\nb" }, body: "x", allowPrivate: true });
  assert.equal(r.kind, "error");
  assert.match(r.kind === "error" ? r.error : "", /^invalid request/);
  assert.equal(connections, 0);
});
