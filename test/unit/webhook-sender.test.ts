// The pooled webhook sender (undici Agent) against a real loopback server: deliveries reuse keep-alive
// connections, the SSRF guard runs where a connection is opened (a name resolving to loopback is refused
// at connect, so no pooled connection to it can exist), a hanging request on one URL does not hold back
// another URL on the same host, and the total timeout, redirects and the body cap behave as before.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, beforeEach, test } from "node:test";
import { createWebhookSender } from "../../src/adapters/http/webhook-sender.js";
import { RESPONSE_BODY_CAP_BYTES } from "../../src/adapters/http/safe-request.js";

let server: http.Server;
let port = 0;
let connections = 0;
let releaseHang!: () => void;
const hang = new Promise<void>((r) => (releaseHang = r));
before(async () => {
  server = http.createServer((req, res) => {
    if (req.url === "/hang") return void hang.then(() => res.end("late"));
    if (req.url === "/redirect") return res.writeHead(301, { location: "/elsewhere" }).end();
    if (req.url === "/big") return res.writeHead(200).end("x".repeat(RESPONSE_BODY_CAP_BYTES * 2));
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => res.writeHead(200).end(`${req.method} ${req.headers["x-signature"] ?? ""} ${body}`));
  });
  server.keepAliveTimeout = 5000;
  server.on("connection", () => connections++);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});
after(
  () =>
    new Promise<void>((r) => {
      releaseHang();
      server.closeAllConnections();
      server.close(() => r());
    }),
);
beforeEach(() => {
  connections = 0;
});

test("deliveries to one endpoint reuse keep-alive connections, headers and body as given", async () => {
  const sender = createWebhookSender({ allowPrivate: true, timeoutMs: 60_000 });
  try {
    for (let i = 0; i < 20; i++) {
      const r = await sender.send({ method: "POST", url: `http://127.0.0.1:${port}/hook`, headers: { "x-signature": `sig${i}` }, body: `b${i}` });
      assert.equal(r.kind === "response" && r.body, `POST sig${i} b${i}`);
    }
    // Not one: undici frees a socket one event-loop turn after its answer, so the next request may
    // open a second connection; without keep-alive it would be 20.
    assert.ok(connections <= 2, `${connections} connections for 20 deliveries`);
  } finally {
    await sender.close();
  }
});

test("without allowPrivate a name resolving to loopback is refused when its connection opens; literals and metadata before", async () => {
  const sender = createWebhookSender({ allowPrivate: false, timeoutMs: 60_000 });
  try {
    for (const url of [`http://localhost:${port}/hook`, `http://127.0.0.1:${port}/hook`, `http://[::1]:${port}/hook`, "http://169.254.169.254/latest/meta-data"]) {
      // Twice: a refused connection leaves nothing in the pool for the second request to reuse.
      for (let i = 0; i < 2; i++) {
        const r = await sender.send({ method: "POST", url, headers: {}, body: "secret" });
        assert.equal(r.kind, "error", url);
        assert.match(r.kind === "error" ? r.error : "", /not allowed/, url);
      }
    }
    assert.equal(connections, 0, "the receiver saw no connection at all");
  } finally {
    await sender.close();
  }
  // The allow-list (RAMPART_ALLOW_PRIVATE_WEBHOOKS) is what lets the same name through.
  const allowed = createWebhookSender({ allowPrivate: true, timeoutMs: 60_000 });
  try {
    const r = await allowed.send({ method: "POST", url: `http://localhost:${port}/hook`, headers: {}, body: "hi" });
    assert.equal(r.kind === "response" && r.status, 200);
  } finally {
    await allowed.close();
  }
});

test("a request hanging on one URL does not hold back another URL on the same host", async () => {
  const sender = createWebhookSender({ allowPrivate: true, timeoutMs: 600_000 });
  try {
    const hanging = Array.from({ length: 40 }, () => sender.send({ method: "POST", url: `http://127.0.0.1:${port}/hang`, headers: {}, body: "" }));
    const r = await sender.send({ method: "POST", url: `http://127.0.0.1:${port}/fast`, headers: {}, body: "x" });
    assert.equal(r.kind === "response" && r.status, 200);
    releaseHang();
    for (const h of await Promise.all(hanging)) assert.equal(h.kind === "response" && h.body, "late");
  } finally {
    await sender.close();
  }
});

test("a 301 is returned, not followed; the body is capped; a receiver that never answers times out", async () => {
  const sender = createWebhookSender({ allowPrivate: true, timeoutMs: 300 });
  const never = http.createServer(() => {});
  await new Promise<void>((r) => never.listen(0, "127.0.0.1", r));
  try {
    const moved = await sender.send({ method: "POST", url: `http://127.0.0.1:${port}/redirect`, headers: {}, body: "" });
    assert.equal(moved.kind === "response" && moved.status, 301);
    const big = await sender.send({ method: "GET", url: `http://127.0.0.1:${port}/big`, headers: {} });
    assert.ok(big.kind === "response" && big.truncated && big.body.length === RESPONSE_BODY_CAP_BYTES);
    const slow = await sender.send({ method: "POST", url: `http://127.0.0.1:${(never.address() as AddressInfo).port}/`, headers: {}, body: "" });
    assert.equal(slow.kind === "error" && slow.error, "timeout after 300 ms");
    const bad = await sender.send({ method: "POST", url: `http://127.0.0.1:${port}/hook`, headers: { "x-bad": "a\r\nb" }, body: "" });
    assert.equal(bad.kind, "error");
  } finally {
    never.closeAllConnections();
    never.close();
    await sender.close();
  }
});
