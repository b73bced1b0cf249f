// The hot wallet's key from an Ethereum keystore (RAMPART_EVM_HOT_WALLET_KEY_FILE holding Web3 Secret
// Storage v3 JSON, with RAMPART_EVM_HOT_WALLET_PASSPHRASE[_FILE]): decrypted in memory at start; a
// wrong passphrase, a tampered or unsupported file fail naming the variable, never echoing a secret.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { inspect } from "node:util";
import { privateKeyToAccount } from "viem/accounts";
import { ConfigError, loadConfig } from "../../src/config/config.js";

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/evm-keystore");
const SCRYPT = fs.readFileSync(path.join(FIXTURES, "scrypt.json"), "utf8");
const SCRYPT_KEY = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
const SCRYPT_PASSPHRASE = "correct horse battery staple";
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-keystore-"));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const BASE = {
  RAMPART_CHAIN: "evm",
  RAMPART_EVM_RPC_URLS: "http://127.0.0.1:8545",
  RAMPART_EVM_CHAIN_ID: "1",
};
let n = 0;
const file = (content: string) => {
  const f = path.join(dir, `f${++n}`);
  fs.writeFileSync(f, content);
  return f;
};
const keyOf = (env: Record<string, string>) => {
  const wallet = loadConfig({ ...BASE, ...env }).ports.evm!.hotWallet;
  assert.equal(wallet.kind, "key");
  return wallet.kind === "key" ? wallet.key.reveal() : null;
};
/** Fails naming `variable`, and its message carries none of `secrets`. */
const refused = (env: Record<string, string>, variable: string, message: RegExp, secrets: string[] = []) =>
  assert.throws(
    () => loadConfig({ ...BASE, ...env }),
    (err: unknown) => err instanceof ConfigError && err.message.includes(variable) && message.test(err.message) && secrets.every((s) => !err.message.includes(s)),
  );

test("a keystore decrypts with its passphrase from a file or the environment: geth's scrypt and the spec's PBKDF2 vector", () => {
  const keystore = file(SCRYPT);
  assert.equal(keyOf({ RAMPART_EVM_HOT_WALLET_KEY_FILE: keystore, RAMPART_EVM_HOT_WALLET_PASSPHRASE_FILE: file(`${SCRYPT_PASSPHRASE}\n`) }), SCRYPT_KEY);
  assert.equal(keyOf({ RAMPART_EVM_HOT_WALLET_KEY_FILE: keystore, RAMPART_EVM_HOT_WALLET_PASSPHRASE: SCRYPT_PASSPHRASE }), SCRYPT_KEY);
  assert.equal(privateKeyToAccount(SCRYPT_KEY).address.toLowerCase(), `0x${JSON.parse(SCRYPT).address}`, "the keystore's own address");
  const pbkdf2 = path.join(FIXTURES, "pbkdf2.json");
  assert.equal(keyOf({ RAMPART_EVM_HOT_WALLET_KEY_FILE: pbkdf2, RAMPART_EVM_HOT_WALLET_PASSPHRASE: "testpassword" }), "0x7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d");

  const config = loadConfig({ ...BASE, RAMPART_EVM_HOT_WALLET_KEY_FILE: keystore, RAMPART_EVM_HOT_WALLET_PASSPHRASE: SCRYPT_PASSPHRASE });
  for (const printed of [JSON.stringify(config, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)), inspect(config, { depth: 10 })]) {
    assert.ok(!printed.includes(SCRYPT_KEY.slice(2)) && !printed.includes(SCRYPT_PASSPHRASE), "neither key nor passphrase prints");
  }
});

test("a wrong passphrase, a tampered or unsupported keystore, a missing or stray passphrase (also beside an external signer) fail at start naming the variable", () => {
  const keystore = file(SCRYPT);
  const ks = JSON.parse(SCRYPT);
  const variant = (change: (c: Record<string, any>) => void) => {
    const copy = structuredClone(ks);
    change(copy.crypto);
    return file(JSON.stringify(copy));
  };
  const withPass = (f: string) => ({ RAMPART_EVM_HOT_WALLET_KEY_FILE: f, RAMPART_EVM_HOT_WALLET_PASSPHRASE: SCRYPT_PASSPHRASE });
  refused({ RAMPART_EVM_HOT_WALLET_KEY_FILE: keystore, RAMPART_EVM_HOT_WALLET_PASSPHRASE: "wrong horse" }, "RAMPART_EVM_HOT_WALLET_KEY_FILE", /does not open with this passphrase/, ["wrong horse"]);
  refused(withPass(variant((c) => (c.ciphertext = `00${c.ciphertext.slice(2)}`))), "RAMPART_EVM_HOT_WALLET_KEY_FILE", /MAC mismatch/, [SCRYPT_PASSPHRASE]);
  refused(withPass(variant((c) => (c.cipher = "aes-128-cbc"))), "RAMPART_EVM_HOT_WALLET_KEY_FILE", /cipher must be aes-128-ctr/);
  refused(withPass(variant((c) => (c.kdf = "argon2"))), "RAMPART_EVM_HOT_WALLET_KEY_FILE", /kdf must be scrypt or pbkdf2/);
  refused(withPass(variant((c) => (c.kdfparams.n = 2 ** 24))), "RAMPART_EVM_HOT_WALLET_KEY_FILE", /kdfparams\.n must be a whole number from 1 to 262144/);
  refused(withPass(variant((c) => (c.kdfparams.n = 1000))), "RAMPART_EVM_HOT_WALLET_KEY_FILE", /power of 2/);
  refused(withPass(variant((c) => Object.assign(c.kdfparams, { r: 1, n: 2 ** 17 }))), "RAMPART_EVM_HOT_WALLET_KEY_FILE", /r = 1 needs kdfparams\.n below 65536/);
  refused(withPass(file("{ not json")), "RAMPART_EVM_HOT_WALLET_KEY_FILE", /is not JSON/);
  refused(withPass(file(JSON.stringify({ ...ks, version: 1 }))), "RAMPART_EVM_HOT_WALLET_KEY_FILE", /not a version 3 keystore/);
  refused({ RAMPART_EVM_HOT_WALLET_KEY_FILE: keystore }, "RAMPART_EVM_HOT_WALLET_PASSPHRASE_FILE", /is required/);
  refused({ RAMPART_EVM_HOT_WALLET_KEY: SCRYPT, RAMPART_EVM_HOT_WALLET_PASSPHRASE: SCRYPT_PASSPHRASE }, "RAMPART_EVM_HOT_WALLET_KEY", /from RAMPART_EVM_HOT_WALLET_KEY_FILE only/);
  refused({ RAMPART_EVM_HOT_WALLET_KEY: SCRYPT_KEY, RAMPART_EVM_HOT_WALLET_PASSPHRASE: SCRYPT_PASSPHRASE }, "RAMPART_EVM_HOT_WALLET_PASSPHRASE_FILE", /only read when/, [SCRYPT_PASSPHRASE]);
  refused({ ...withPass(keystore), RAMPART_EVM_HOT_WALLET_PASSPHRASE_FILE: file("x") }, "RAMPART_EVM_HOT_WALLET_PASSPHRASE", /not both/);
  refused({ RAMPART_EVM_HOT_WALLET_KEY_FILE: keystore, RAMPART_EVM_HOT_WALLET_PASSPHRASE_FILE: "/nonexistent/pass" }, "RAMPART_EVM_HOT_WALLET_PASSPHRASE_FILE", /cannot read/);
  const signer = { RAMPART_EVM_SIGNER_URL: "http://127.0.0.1:8550", RAMPART_EVM_SIGNER_ADDRESS: "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23" };
  refused({ ...signer, RAMPART_EVM_HOT_WALLET_PASSPHRASE: SCRYPT_PASSPHRASE }, "RAMPART_EVM_SIGNER_URL", /not both/, [SCRYPT_PASSPHRASE]);
});
