// The http SMS adapter against a real loopback receiver: templates filled and escaped for where they
// go, the auth header sent, a refusal is a 503 service_unavailable, and the SSRF guard of webhooks applies.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createHttpSmsGateway } from "../../src/adapters/sms/http-sms-gateway.js";
import { AppError } from "../../src/core/shared/errors.js";
import { type Receiver, startReceiver } from "../support/webhook-receiver.js";

let receiver: Receiver;
const failures: string[] = [];
before(async () => {
  receiver = await startReceiver();
});
after(() => receiver.close());

const gateway = (over: Partial<Parameters<typeof createHttpSmsGateway>[0]> = {}) =>
  createHttpSmsGateway({
    url: `${receiver.url}/send`,
    body: null,
    contentType: "application/json",
    authHeader: null,
    allowPrivate: true,
    timeoutMs: 5000,
    onFailure: (r) => failures.push(r),
    ...over,
  });

const TEXT = 'Your code is 123456 & "quoted" ünïcode';

test("POST with a JSON body template: values JSON-escaped, auth header and content type sent", async () => {
  await gateway({ body: '{"to":"{phone}","text":"{text}"}', authHeader: { name: "authorization", value: "Bearer s3cret" } }).send("+34600111222", TEXT);
  const r = receiver.received.at(-1)!;
  assert.equal(r.method, "POST");
  assert.equal(r.headers.authorization, "Bearer s3cret");
  assert.equal(r.headers["content-type"], "application/json");
  assert.deepEqual(JSON.parse(r.body), { to: "+34600111222", text: TEXT });
});

test("a form body and a GET URL template are percent-encoded", async () => {
  await gateway({ body: "to={phone}&text={text}", contentType: "application/x-www-form-urlencoded" }).send("+34600111222", TEXT);
  const form = new URLSearchParams(receiver.received.at(-1)!.body);
  assert.equal(form.get("to"), "+34600111222");
  assert.equal(form.get("text"), TEXT);
  await gateway({ url: `${receiver.url}/send?to={phone}&text={text}` }).send("+34600111222", TEXT);
  const r = receiver.received.at(-1)!;
  assert.equal(r.method, "GET");
  const q = new URL(r.url, "http://x").searchParams;
  assert.equal(q.get("to"), "+34600111222");
  assert.equal(q.get("text"), TEXT);
});

test("a gateway that refuses is service_unavailable (the reason logged, not returned)", async () => {
  receiver.setScript(() => ({ status: 401, body: "bad key" }));
  try {
    await assert.rejects(gateway().send("+34600111222", "x"), (e: unknown) => e instanceof AppError && e.code === "service_unavailable" && !/401/.test(e.message));
    assert.equal(failures.at(-1), "HTTP 401");
  } finally {
    receiver.setScript(() => ({ status: 200 }));
  }
});

test("the SSRF guard: a loopback gateway is refused unless private addresses are allowed", async () => {
  const before = receiver.received.length;
  await assert.rejects(gateway({ allowPrivate: false }).send("+34600111222", "x"), (e: unknown) => e instanceof AppError && e.code === "service_unavailable");
  assert.match(failures.at(-1) ?? "", /not allowed/);
  assert.equal(receiver.received.length, before, "nothing reached the receiver");
});
