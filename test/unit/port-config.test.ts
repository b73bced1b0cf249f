// Each port's adapter is chosen by config; live mode names every port still on a sandbox adapter.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, loadConfig, portAdapters, sandboxAdaptersInLive } from "../../src/config/config.js";

const LIVE = { RAMPART_MODE: "live", RAMPART_SECRET_KEY: "k".repeat(32) };
const REAL = { RAMPART_RATES: "fixed", RAMPART_FIXED_RATES: "EUR/USDT=0.92", RAMPART_KYC: "manual", RAMPART_CHAIN: "manual", RAMPART_CARD_ACQUIRER: "none" };

test("sandbox defaults stay the sandbox adapters (npm start unchanged)", () => {
  const c = loadConfig({});
  assert.deepEqual(portAdapters(c), { rates: "random_walk", kyc: "sandbox", sms: "log", chain: "sandbox", cardAcquirer: "sandbox", bankFeed: "sandbox+statements" });
  assert.equal(c.ports.smsHttp, null);
  assert.deepEqual(sandboxAdaptersInLive(c), []);
});

test("live mode on the defaults: one error per port, each naming the variable to set", () => {
  const problems = sandboxAdaptersInLive(loadConfig(LIVE));
  assert.deepEqual(
    problems.map((p) => p.variable),
    ["RAMPART_RATES", "RAMPART_KYC", "RAMPART_SMS", "RAMPART_CHAIN", "RAMPART_CARD_ACQUIRER"],
  );
  for (const p of problems) assert.ok(p instanceof ConfigError && p.message.startsWith(`${p.variable}: `), p.message);
});

test("live mode on real adapters passes; log SMS is accepted only while the card dialect is off", () => {
  assert.deepEqual(sandboxAdaptersInLive(loadConfig({ ...LIVE, ...REAL })), []);
  const cardOn = sandboxAdaptersInLive(loadConfig({ ...LIVE, ...REAL, RAMPART_CARD_ACQUIRER: "sandbox" })).map((p) => p.variable);
  assert.deepEqual(cardOn, ["RAMPART_SMS", "RAMPART_CARD_ACQUIRER"]);
  const withGateway = loadConfig({ ...LIVE, ...REAL, RAMPART_SMS: "http", RAMPART_SMS_URL: "https://sms.example/send?to={phone}&msg={text}" });
  assert.deepEqual(sandboxAdaptersInLive(withGateway), []);
  assert.deepEqual(portAdapters(withGateway), { rates: "fixed", kyc: "manual", sms: "http", chain: "manual", cardAcquirer: "none", bankFeed: "statements" });
});

test("the bank feed: statement imports, the watched inbox when set, the simulated transfers in sandbox mode only", () => {
  assert.equal(portAdapters(loadConfig({ ...LIVE, ...REAL, RAMPART_BANK_INBOX_DIR: "/srv/sftp/bank" })).bankFeed, "statements+inbox");
  assert.equal(portAdapters(loadConfig({ RAMPART_BANK_INBOX_DIR: "/srv/sftp/bank" })).bankFeed, "sandbox+statements+inbox");
});

test("the SMS gateway's settings: URL, body template, content type, auth header", () => {
  const c = loadConfig({
    RAMPART_SMS: "http",
    RAMPART_SMS_URL: "https://sms.example/v1/messages",
    RAMPART_SMS_BODY: '{"to":"{phone}","body":"{text}"}',
    RAMPART_SMS_AUTH_HEADER: "Authorization: Bearer abc def",
  });
  assert.deepEqual(c.ports.smsHttp, {
    url: "https://sms.example/v1/messages",
    body: '{"to":"{phone}","body":"{text}"}',
    contentType: "application/json",
    authHeader: { name: "authorization", value: "Bearer abc def" },
  });
});

for (const [env, variable] of [
  [{ RAMPART_KYC: "onfido" }, "RAMPART_KYC"],
  [{ RAMPART_CHAIN: "tron" }, "RAMPART_CHAIN"],
  [{ RAMPART_CARD_ACQUIRER: "stripe" }, "RAMPART_CARD_ACQUIRER"],
  [{ RAMPART_SMS: "twilio" }, "RAMPART_SMS"],
  [{ RAMPART_SMS: "http" }, "RAMPART_SMS_URL"],
  [{ RAMPART_SMS: "http", RAMPART_SMS_URL: "ftp://x" }, "RAMPART_SMS_URL"],
  [{ RAMPART_SMS: "http", RAMPART_SMS_URL: "https://user:secret@sms.example/send" }, "RAMPART_SMS_URL"],
  [{ RAMPART_SMS: "http", RAMPART_SMS_URL: "https://x", RAMPART_SMS_AUTH_HEADER: "Bearer abc" }, "RAMPART_SMS_AUTH_HEADER"],
  [{ RAMPART_SMS: "http", RAMPART_SMS_URL: "https://x", RAMPART_SMS_CONTENT_TYPE: "text/xml" }, "RAMPART_SMS_CONTENT_TYPE"],
] as const) {
  test(`a bad ${variable} fails naming it`, () => {
    assert.throws(() => loadConfig(env), (e: unknown) => e instanceof ConfigError && e.variable === variable);
  });
}
