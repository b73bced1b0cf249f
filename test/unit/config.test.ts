import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, loadConfig } from "../../src/config/config.js";

test("defaults: sandbox, port 8080, embedded database in ./.rampart", () => {
  const c = loadConfig({});
  assert.equal(c.mode, "sandbox");
  assert.equal(c.port, 8080);
  assert.equal(c.databaseUrl, null);
  assert.match(c.dataDir, /\.rampart$/);
  assert.equal(c.pollIntervalMs, 500);
  assert.equal(c.allowPrivateWebhooks, false);
});

test("the sandbox listens on loopback unless HOST says otherwise; live mode serves the network", () => {
  assert.equal(loadConfig({}).host, "127.0.0.1");
  assert.equal(loadConfig({ HOST: "0.0.0.0" }).host, "0.0.0.0");
  assert.equal(loadConfig({ RAMPART_MODE: "live", RAMPART_SECRET_KEY: "k".repeat(32) }).host, "0.0.0.0");
});

test("RAMPART_TRUST_PROXY: none by default, true, a hop count or proxy addresses; RAMPART_FRAME_ANCESTORS: origins", () => {
  assert.equal(loadConfig({}).trustProxy, false);
  assert.equal(loadConfig({ RAMPART_TRUST_PROXY: "true" }).trustProxy, true);
  assert.equal(loadConfig({ RAMPART_TRUST_PROXY: "2" }).trustProxy, 2);
  assert.deepEqual(loadConfig({ RAMPART_TRUST_PROXY: "10.0.0.0/8, 127.0.0.1,::1" }).trustProxy, ["10.0.0.0/8", "127.0.0.1", "::1"]);
  assert.deepEqual(loadConfig({}).frameAncestors, []);
  assert.deepEqual(loadConfig({ RAMPART_FRAME_ANCESTORS: "https://shop.example, https://*.shop.example:8443" }).frameAncestors, [
    "https://shop.example",
    "https://*.shop.example:8443",
  ]);
});

test("RAMPART_EXPLORER_URLS adds, replaces and removes the block explorer of a network", () => {
  assert.equal(loadConfig({}).explorers.trc20, "https://tronscan.org/#/transaction/{tx}");
  const c = loadConfig({ RAMPART_EXPLORER_URLS: "TRC20=https://tron.example/tx/{tx}, bsc=https://bscscan.com/tx/{tx} bitcoin=" });
  assert.equal(c.explorers.trc20, "https://tron.example/tx/{tx}");
  assert.equal(c.explorers.bsc, "https://bscscan.com/tx/{tx}");
  assert.equal(c.explorers.bitcoin, undefined);
  assert.equal(c.explorers.ethereum, "https://etherscan.io/tx/{tx}");
});

for (const [env, variable] of [
  [{ RAMPART_EXPLORER_URLS: "trc20=https://tron.example/tx/" }, "RAMPART_EXPLORER_URLS"],
  [{ RAMPART_EXPLORER_URLS: "trc20=ftp://tron.example/{tx}" }, "RAMPART_EXPLORER_URLS"],
  [{ RAMPART_EXPLORER_URLS: "https://tron.example/{tx}" }, "RAMPART_EXPLORER_URLS"],
  [{ PORT: "eighty" }, "PORT"],
  [{ PORT: "70000" }, "PORT"],
  [{ RAMPART_MODE: "prod" }, "RAMPART_MODE"],
  [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL"],
  [{ RAMPART_SECRET_KEY: "short" }, "RAMPART_SECRET_KEY"],
  [{ RAMPART_MODE: "live" }, "RAMPART_SECRET_KEY"],
  [{ RAMPART_PREVIOUS_SECRET_KEY: "p".repeat(32) }, "RAMPART_PREVIOUS_SECRET_KEY"], // rotation is for live mode
  [{ RAMPART_MODE: "live", RAMPART_SECRET_KEY: "k".repeat(32), RAMPART_PREVIOUS_SECRET_KEY: "k".repeat(32) }, "RAMPART_PREVIOUS_SECRET_KEY"],
  [{ RAMPART_MODE: "live", RAMPART_SECRET_KEY: "k".repeat(32), RAMPART_PREVIOUS_SECRET_KEY: "short" }, "RAMPART_PREVIOUS_SECRET_KEY"],
  [{ RAMPART_ALLOW_PRIVATE_WEBHOOKS: "yes" }, "RAMPART_ALLOW_PRIVATE_WEBHOOKS"],
  [{ RAMPART_TRUST_PROXY: "proxy.internal" }, "RAMPART_TRUST_PROXY"],
  [{ RAMPART_TRUST_PROXY: "10.0.0.0/8/1" }, "RAMPART_TRUST_PROXY"],
  [{ RAMPART_FRAME_ANCESTORS: "https://shop.example/checkout" }, "RAMPART_FRAME_ANCESTORS"],
  [{ RAMPART_FRAME_ANCESTORS: "*" }, "RAMPART_FRAME_ANCESTORS"],
] as const) {
  test(`a bad ${variable} fails fast naming the variable`, () => {
    assert.throws(
      () => loadConfig(env),
      (err: unknown) => err instanceof ConfigError && err.variable === variable && err.message.startsWith(variable),
    );
  });
}
