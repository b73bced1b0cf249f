// RAMPART_CHAIN=evm settings: each bad value fails naming its variable, and the hot wallet's key never
// prints (JSON, string, inspect, pino), whether it came from the environment or a key file.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { inspect } from "node:util";
import { test } from "node:test";
import { HDKey } from "@scure/bip32";
import { ConfigError, loadConfig } from "../../src/config/config.js";
import { createLogger } from "../../src/main/logger.js";
import { LogCapture } from "../support/log-capture.js";

const KEY = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
const BASE = {
  RAMPART_CHAIN: "evm",
  RAMPART_EVM_RPC_URLS: "http://127.0.0.1:8545, https://rpc.example/eth",
  RAMPART_EVM_CHAIN_ID: "1",
  RAMPART_EVM_TOKENS: "USDT=0xdAC17F958D2ee523a2206206994597C13D831ec7",
  RAMPART_EVM_HOT_WALLET_KEY: KEY,
};

test("a full EVM configuration parses: URLs in order, tokens, fees in wei", () => {
  const evm = loadConfig(BASE).ports.evm!;
  assert.deepEqual(evm.rpcUrls, ["http://127.0.0.1:8545", "https://rpc.example/eth"]);
  assert.equal(evm.chainId, 1);
  assert.equal(evm.confirmations, 12);
  assert.deepEqual(evm.tokens, { USDT: "0xdAC17F958D2ee523a2206206994597C13D831ec7" });
  assert.equal(evm.maxFeePerGasCapWei, 200_000_000_000n);
  assert.equal(evm.priorityFeeWei, 1_500_000_000n);
  assert.equal(evm.hotWallet.kind === "key" && evm.hotWallet.key.reveal(), KEY);
});

test("the hot wallet key never prints, and a key file works like the variable", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-key-"));
  const file = path.join(dir, "hot.key");
  fs.writeFileSync(file, `${KEY.slice(2)}\n`);
  const { RAMPART_EVM_HOT_WALLET_KEY: _inline, ...rest } = BASE;
  const config = loadConfig({ ...rest, RAMPART_EVM_HOT_WALLET_KEY_FILE: file });
  const wallet = config.ports.evm!.hotWallet;
  assert.equal(wallet.kind === "key" && wallet.key.reveal(), KEY);
  const hex = KEY.slice(2);
  assert.ok(!JSON.stringify(config, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)).includes(hex));
  assert.ok(!inspect(config, { depth: 10 }).includes(hex));
  assert.ok(!String(wallet.kind === "key" && wallet.key).includes(hex));
  const logs = new LogCapture();
  createLogger("info", logs).info({ config }, "config");
  assert.ok(!logs.text.includes(hex));
  fs.rmSync(dir, { recursive: true, force: true });
});

for (const [env, variable] of [
  [{ RAMPART_EVM_RPC_URLS: "" }, "RAMPART_EVM_RPC_URLS"],
  [{ RAMPART_EVM_RPC_URLS: "ws://node" }, "RAMPART_EVM_RPC_URLS"],
  [{ RAMPART_EVM_RPC_URLS: "https://user:pw@node.example" }, "RAMPART_EVM_RPC_URLS"],
  [{ RAMPART_EVM_CHAIN_ID: "" }, "RAMPART_EVM_CHAIN_ID"],
  [{ RAMPART_EVM_CHAIN_ID: "mainnet" }, "RAMPART_EVM_CHAIN_ID"],
  [{ RAMPART_EVM_TOKENS: "USDT=0x123" }, "RAMPART_EVM_TOKENS"],
  [{ RAMPART_EVM_HOT_WALLET_KEY: "" }, "RAMPART_EVM_HOT_WALLET_KEY_FILE"],
  [{ RAMPART_EVM_HOT_WALLET_KEY: "0x1234" }, "RAMPART_EVM_HOT_WALLET_KEY"],
  [{ RAMPART_EVM_HOT_WALLET_KEY_FILE: "/nonexistent/hot.key" }, "RAMPART_EVM_HOT_WALLET_KEY"],
  [{ RAMPART_EVM_MAX_FEE_GWEI: "1.5.0" }, "RAMPART_EVM_MAX_FEE_GWEI"],
  [{ RAMPART_EVM_MAX_FEE_GWEI: "1", RAMPART_EVM_PRIORITY_FEE_GWEI: "2" }, "RAMPART_EVM_PRIORITY_FEE_GWEI"],
  [{ RAMPART_EVM_CONFIRMATIONS: "0" }, "RAMPART_EVM_CONFIRMATIONS"],
] as const) {
  test(`a bad ${variable} (${JSON.stringify(env)}) fails naming it, without echoing a key`, () => {
    assert.throws(
      () => loadConfig({ ...BASE, ...env }),
      (e: unknown) => e instanceof ConfigError && e.variable === variable && !e.message.includes(KEY.slice(2)),
    );
  });
}

test("an external signer replaces the key: its URL never prints, its address is required and checked, and it excludes a key", () => {
  const { RAMPART_EVM_HOT_WALLET_KEY: _inline, ...noKey } = BASE;
  const url = "https://signer.internal:8550/t/s3cr3t-signer-token";
  const address = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
  const config = loadConfig({ ...noKey, RAMPART_EVM_SIGNER_URL: url, RAMPART_EVM_SIGNER_ADDRESS: address.toLowerCase() });
  const wallet = config.ports.evm!.hotWallet;
  assert.equal(wallet.kind, "external");
  assert.equal(wallet.kind === "external" && wallet.url.reveal(), url);
  assert.equal(wallet.kind === "external" && wallet.address, address.toLowerCase());
  const printed = [JSON.stringify(config, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)), inspect(config, { depth: 10 })];
  const logs = new LogCapture();
  createLogger("info", logs).info({ config }, "config");
  for (const text of [...printed, logs.text]) assert.ok(!text.includes("s3cr3t-signer-token"));

  const refused = (env: Record<string, string>, variable: string) =>
    assert.throws(() => loadConfig({ ...noKey, ...env }), (e: unknown) => e instanceof ConfigError && e.variable === variable && !e.message.includes("s3cr3t"));
  refused({ RAMPART_EVM_SIGNER_URL: url }, "RAMPART_EVM_SIGNER_ADDRESS");
  refused({ RAMPART_EVM_SIGNER_URL: url, RAMPART_EVM_SIGNER_ADDRESS: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA" }, "RAMPART_EVM_SIGNER_ADDRESS");
  refused({ RAMPART_EVM_SIGNER_URL: url, RAMPART_EVM_SIGNER_ADDRESS: "0x0000000000000000000000000000000000000000" }, "RAMPART_EVM_SIGNER_ADDRESS");
  refused({ RAMPART_EVM_SIGNER_URL: "ftp://signer/s3cr3t", RAMPART_EVM_SIGNER_ADDRESS: address }, "RAMPART_EVM_SIGNER_URL");
  refused({ RAMPART_EVM_SIGNER_URL: "https://u:s3cr3t@signer", RAMPART_EVM_SIGNER_ADDRESS: address }, "RAMPART_EVM_SIGNER_URL");
  refused({ RAMPART_EVM_SIGNER_URL: url, RAMPART_EVM_SIGNER_ADDRESS: address, RAMPART_EVM_HOT_WALLET_KEY: KEY }, "RAMPART_EVM_SIGNER_URL");
  refused({ RAMPART_EVM_SIGNER_ADDRESS: address }, "RAMPART_EVM_SIGNER_ADDRESS");
});

test("trader deposits: an xpub turns them on; an xprv, a finality shorter than the confirmations or a bad start block is refused", () => {
  const root = HDKey.fromMasterSeed(new Uint8Array(32).fill(7));
  assert.equal(loadConfig(BASE).ports.evmDeposits, null, "no xpub, no deposits");
  const deposits = loadConfig({ ...BASE, RAMPART_EVM_DEPOSIT_XPUB: root.publicExtendedKey }).ports.evmDeposits!;
  assert.deepEqual(deposits, { xpub: root.publicExtendedKey, confirmations: 12, finalityBlocks: 64, blocksPerRun: 100, startBlock: null });
  const refused = (env: Record<string, string>, variable: string) =>
    assert.throws(() => loadConfig({ ...BASE, RAMPART_EVM_DEPOSIT_XPUB: root.publicExtendedKey, ...env }), (e: unknown) => e instanceof ConfigError && e.variable === variable);
  refused({ RAMPART_EVM_DEPOSIT_XPUB: root.privateExtendedKey }, "RAMPART_EVM_DEPOSIT_XPUB");
  refused({ RAMPART_EVM_DEPOSIT_XPUB: "xpub-not-a-key" }, "RAMPART_EVM_DEPOSIT_XPUB");
  refused({ RAMPART_EVM_DEPOSIT_FINALITY_BLOCKS: "6" }, "RAMPART_EVM_DEPOSIT_FINALITY_BLOCKS");
  refused({ RAMPART_EVM_DEPOSIT_START_BLOCK: "-1" }, "RAMPART_EVM_DEPOSIT_START_BLOCK");
  // The private key never appears in the refusal.
  assert.throws(
    () => loadConfig({ ...BASE, RAMPART_EVM_DEPOSIT_XPUB: root.privateExtendedKey }),
    (e: unknown) => e instanceof ConfigError && !e.message.includes(root.privateExtendedKey),
  );
});
