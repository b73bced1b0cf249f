// The SSRF guard and the hardened HTTP client, against real loopback servers.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { isBlockedAddress } from "../../src/adapters/http/address-guard.js";
import { RESPONSE_BODY_CAP_BYTES, safeRequest } from "../../src/adapters/http/safe-request.js";

let server: http.Server;
let port = 0;
before(async () => {
  server = http.createServer((req, res) => {
    if (req.url === "/redirect") return res.writeHead(301, { location: "http://127.0.0.1:1/elsewhere" }).end();
    if (req.url === "/big") return res.writeHead(200).end("x".repeat(RESPONSE_BODY_CAP_BYTES * 4));
    if (req.url === "/slow") return setTimeout(() => res.writeHead(200).end("late"), 2000).unref();
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => res.writeHead(200, { "content-type": "text/plain" }).end(`${req.method} ${body}`));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});
after(() => new Promise<void>((r) => server.close(() => r())));

test("blocked ranges", () => {
  for (const a of ["10.0.0.1", "172.16.5.4", "192.168.1.1", "127.0.0.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "::1", "::", "fe80::1", "fd12::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:a9fe:a9fe", "::ffff:10.0.0.1"]) {
    assert.equal(isBlockedAddress(a), true, a);
  }
  for (const a of ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]) assert.equal(isBlockedAddress(a), false, a);
});

test("private literals and names resolving to loopback are refused unless allowed", async () => {
  const lit = await safeRequest({ method: "GET", url: `http://127.0.0.1:${port}/`, allowPrivate: false });
  assert.equal(lit.kind, "error");
  assert.match(lit.kind === "error" ? lit.error : "", /not allowed/);
  const v6 = await safeRequest({ method: "GET", url: `http://[::ffff:127.0.0.1]:${port}/`, allowPrivate: false });
  assert.equal(v6.kind, "error");
  const named = await safeRequest({ method: "GET", url: `http://localhost:${port}/`, allowPrivate: false });
  assert.equal(named.kind, "error");
  assert.match(named.kind === "error" ? named.error : "", /not allowed/);
  const meta = await safeRequest({ method: "GET", url: "http://169.254.169.254/latest/meta-data", allowPrivate: false });
  assert.equal(meta.kind, "error");
  const ok = await safeRequest({ method: "POST", url: `http://localhost:${port}/`, body: "hi", allowPrivate: true });
  assert.equal(ok.kind === "response" && ok.body, "POST hi");
});

test("only http(s)", async () => {
  for (const url of ["ftp://example.com/", "file:///etc/passwd", "gopher://x/", "not a url", "http://user:pw@127.0.0.1/"]) {
    const r = await safeRequest({ method: "GET", url, allowPrivate: true });
    assert.equal(r.kind, "error", url);
  }
});

test("redirects are returned, not followed; bodies are capped; the total timeout holds", async () => {
  const r = await safeRequest({ method: "GET", url: `http://127.0.0.1:${port}/redirect`, allowPrivate: true });
  assert.equal(r.kind === "response" && r.status, 301);
  const big = await safeRequest({ method: "GET", url: `http://127.0.0.1:${port}/big`, allowPrivate: true });
  assert.equal(big.kind === "response" && big.body.length, RESPONSE_BODY_CAP_BYTES);
  const slow = await safeRequest({ method: "GET", url: `http://127.0.0.1:${port}/slow`, allowPrivate: true, timeoutMs: 300 });
  assert.equal(slow.kind, "error");
  assert.ok(slow.latencyMs >= 290 && slow.latencyMs < 1500, String(slow.latencyMs));
  const refused = await safeRequest({ method: "GET", url: "http://127.0.0.1:1/", allowPrivate: true });
  assert.equal(refused.kind, "error");
});
