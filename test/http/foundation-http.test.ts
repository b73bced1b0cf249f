import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Validator } from "@seriousme/openapi-schema-validator";
import { Type } from "typebox";
import { AppError } from "../../src/core/shared/errors.js";
import { createHarness, type Harness } from "../support/harness.js";
import { followChannel } from "../support/notifications.js";
import { connectPostgres } from "../../src/db/connect.js";
import { buildApp } from "../../src/http/build-app.js";

describe("HTTP foundation", () => {
  let h: Harness;
  before(async () => {
    h = await createHarness({
      routes(app) {
        app.post(
          "/test/echo",
          {
            schema: {
              body: Type.Object(
                { name: Type.String(), amount: Type.Optional(Type.Integer()) },
                { additionalProperties: false },
              ),
            },
          },
          async (req) => req.body,
        );
        app.get("/test/boom", async () => {
          throw new Error("secret internal detail at /srv/db.ts:42");
        });
        app.get("/test/refused", async () => {
          throw new AppError("illegal_transition", { message: "Cannot cancel pay-in in status closed", details: { currentStatus: "closed" } });
        });
        app.post("/test/log-secrets", async (req) => {
          req.log.info({ body: req.body }, "received");
          return { ok: true };
        });
      },
    });
  });
  after(() => h.close());

  test("a JSON number where a string is required is 400 naming the field", async () => {
    const res = await h.app.inject({ method: "POST", url: "/test/echo", payload: { name: 2500 } });
    assert.equal(res.statusCode, 400);
    const body = res.json();
    assert.equal(body.error, "validation_failed");
    assert.equal(body.field, "name");
    assert.equal(body.requestId, res.headers["x-request-id"]);
  });

  test("a string where an integer is required is not coerced", async () => {
    const res = await h.app.inject({ method: "POST", url: "/test/echo", payload: { name: "a", amount: "2500" } });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().field, "amount");
  });

  test("unknown fields are 400, not silently dropped", async () => {
    const res = await h.app.inject({ method: "POST", url: "/test/echo", payload: { name: "a", extra: 1 } });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().field, "extra");
    assert.match(res.json().message, /Unknown field/);
  });

  test("a valid body passes unchanged", async () => {
    const res = await h.app.inject({ method: "POST", url: "/test/echo", payload: { name: "a", amount: 2500 } });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { name: "a", amount: 2500 });
  });

  test("malformed JSON is 400 invalid_json", async () => {
    const res = await h.app.inject({
      method: "POST",
      url: "/test/echo",
      headers: { "content-type": "application/json" },
      payload: "{nope",
    });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error, "invalid_json");
  });

  test("a body over the limit is 413", async () => {
    const res = await h.app.inject({
      method: "POST",
      url: "/test/echo",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ name: "x".repeat(h.deps.config.bodyLimitBytes + 10) }),
    });
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().error, "body_too_large");
  });

  test("a thrown internal error is a generic 500 with a request id and no internals", async () => {
    const res = await h.app.inject({ method: "GET", url: "/test/boom" });
    assert.equal(res.statusCode, 500);
    const body = res.json();
    assert.deepEqual(Object.keys(body).sort(), ["error", "message", "requestId"]);
    assert.equal(body.error, "internal_error");
    assert.doesNotMatch(res.body, /secret internal detail|srv\/db|at /);
    // ...but the log has it, joined by the request id.
    const logged = h.logs.records().find((r) => r.reqId === body.requestId && r.msg === "unhandled error");
    assert.ok(logged, "the internal error is logged with the request id");
    assert.match(JSON.stringify(logged), /secret internal detail/);
  });

  test("an illegal transition is 409 naming the current status", async () => {
    const res = await h.app.inject({ method: "GET", url: "/test/refused" });
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().currentStatus, "closed");
    assert.match(res.json().message, /status closed/);
  });

  test("every response carries x-request-id; a well-formed incoming one is kept", async () => {
    const a = await h.app.inject({ method: "GET", url: "/healthz" });
    assert.match(String(a.headers["x-request-id"]), /^req_/);
    const b = await h.app.inject({ method: "GET", url: "/healthz", headers: { "x-request-id": "trace-abc-12345" } });
    assert.equal(b.headers["x-request-id"], "trace-abc-12345");
    const c = await h.app.inject({ method: "GET", url: "/healthz", headers: { "x-request-id": "<script>" } });
    assert.notEqual(c.headers["x-request-id"], "<script>");
  });

  test("unknown routes are a JSON 404", async () => {
    const res = await h.app.inject({ method: "GET", url: "/no/such/route" });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error, "route_not_found");
  });

  test("a path segment past 100 characters and a broken percent-encoding are refused before routing in Rampart's envelope", async () => {
    const long = await h.app.inject({ method: "GET", url: `/payment/trading/${"a".repeat(101)}` });
    assert.equal(long.statusCode, 414);
    assert.equal(long.json().error, "path_too_long");
    assert.match(long.json().requestId, /^req_/);
    const broken = await h.app.inject({ method: "GET", url: "/payment/trading/%zz" });
    assert.equal(broken.statusCode, 400);
    assert.equal(broken.json().error, "invalid_url");
  });

  test("logs redact credentials, signatures, card numbers and passwords", async () => {
    const apiKey = "rmp_0123456789abcdef_SECRETSECRETSECRETSECRETSECRETSECRETSECRET1";
    await h.app.inject({
      method: "POST",
      url: "/test/log-secrets",
      headers: { "x-api-key": apiKey, authorization: "Bearer tok.en.value", "x-signature": "deadbeefsig" },
      payload: { password: "hunter2-pass", cardNumber: "4242424242424242", cardCVV: "123", nested: { password: "p2-secret" } },
    });
    const text = h.logs.text;
    assert.match(text, /\[redacted\]/);
    for (const secret of [apiKey, "tok.en.value", "deadbeefsig", "hunter2-pass", "4242424242424242", "p2-secret"]) {
      assert.ok(!text.includes(secret), `log must not contain ${secret}`);
    }
    assert.ok(!/"cardCVV":"123"/.test(text));
  });

  test("logged URLs keep no bearer token: the 3-D Secure, checkout, KYC and invite links, and secret query values (found by fuzzing)", async () => {
    const urls = [
      "/3ds/5f0c1a2b-0000-4000-8000-000000000001.SECRETMAC3DS/approve",
      "/checkout/SECRETCHECKOUT/status",
      "/kyc/SECRETKYC",
      "/merchant/invite/SECRETINVITE",
      "/v2/mobile/email/confirm?email=a%40example.com&event=EMAIL_CONFIRMATION&token=SECRETMAILTOKEN",
    ];
    for (const url of urls) await h.app.inject({ method: url.includes("approve") ? "POST" : "GET", url });
    const text = h.logs.text;
    for (const secret of ["SECRETMAC3DS", "SECRETCHECKOUT", "SECRETKYC", "SECRETINVITE", "SECRETMAILTOKEN"]) {
      assert.ok(!text.includes(secret), `log must not contain ${secret}`);
    }
    // What is not secret stays, so a request can still be told apart.
    for (const kept of ['"/3ds/[redacted]/approve"', '"/checkout/[redacted]/status"', "event=EMAIL_CONFIRMATION&token=[redacted]"]) assert.ok(text.includes(kept), kept);
  });

  test("/healthz, /metrics with the request histogram", async () => {
    assert.deepEqual((await h.app.inject({ method: "GET", url: "/healthz" })).json(), { status: "ok" });
    const m = await h.app.inject({ method: "GET", url: "/metrics" });
    assert.equal(m.statusCode, 200);
    assert.match(m.body, /process_cpu_user_seconds_total/);
    assert.match(m.body, /http_request_duration_seconds_bucket\{[^}]*route="\/healthz"[^}]*status_code="200"/);
  });

  test("/readyz is ready on a migrated database, and names the adapter of each port", async () => {
    // The app's caches open the NOTIFY session as they start, and /readyz is not ready until it listens
    // (on a loaded machine that can take longer than the tests before this one): a follower of one of
    // their channels resolves once that session listens.
    const listening = await followChannel(h.deps.database, "trading_method_changed");
    const res = await h.app.inject({ method: "GET", url: "/readyz" });
    await listening.stop();
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), {
      status: "ready",
      database: "ok",
      pendingMigrations: [],
      listener: "listening",
      jobLagSeconds: 0,
      adapters: { rates: "random_walk", kyc: "sandbox", sms: "log", chain: "sandbox", cardAcquirer: "sandbox", bankFeed: "sandbox+statements" },
      chain: null,
    });
  });

  test("/readyz reports the job lag, and turns 503 draining while the process drains", async () => {
    const { enqueueJob } = await import("../../src/app/outbox/outbox.js");
    await enqueueJob(h.deps.database.db, "intent.timeout", { intentId: "none" }, { key: "readyz-lag", dueAt: h.clock.now() });
    h.clock.advance(90_000);
    try {
      const lagging = await h.app.inject({ method: "GET", url: "/readyz" });
      assert.equal(lagging.statusCode, 200, "a lag is reported, not a reason to stop sending requests");
      assert.equal(lagging.json().jobLagSeconds, 90);
      h.app.lifecycle.draining = true;
      const draining = await h.app.inject({ method: "GET", url: "/readyz" });
      assert.equal(draining.statusCode, 503);
      assert.equal(draining.json().status, "draining");
    } finally {
      h.app.lifecycle.draining = false;
      await h.deps.database.db.deleteFrom("jobs").where("key", "=", "readyz-lag").execute();
    }
  });

  test("/readyz is 503 when the database is unreachable", async () => {
    const unreachable = connectPostgres({ url: "postgres://postgres@127.0.0.1:1/none", poolSize: 1 });
    const app = await buildApp({ ...h.deps, database: unreachable });
    try {
      const res = await app.inject({ method: "GET", url: "/readyz" });
      assert.equal(res.statusCode, 503);
      assert.equal(res.json().database, "unreachable");
    } finally {
      await app.close();
      await unreachable.close();
    }
  });

  test("/openapi.json is a valid OpenAPI 3.1 document and /docs serves the UI", async () => {
    const res = await h.app.inject({ method: "GET", url: "/openapi.json" });
    assert.equal(res.statusCode, 200);
    const doc = res.json();
    assert.equal(doc.openapi, "3.1.0");
    const validator = new Validator();
    const result = await validator.validate(doc);
    assert.equal(result.valid, true, JSON.stringify(result.errors));
    assert.equal(validator.version, "3.1");
    assert.ok(doc.paths["/healthz"]);
    const docs = await h.app.inject({ method: "GET", url: "/docs/" });
    assert.equal(docs.statusCode, 200);
    assert.match(docs.body, /swagger-ui/i);
  });
});
