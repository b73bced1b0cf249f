// RAMPART_CHAIN=evm: one EVM network (Ethereum or any EVM chain) serving Rampart's "ethereum" (native
// coin) and "erc20" (tokens) networks. Parsed once here; the hot wallet's key is read from a file (plain,
// or an Ethereum keystore decrypted in memory with its passphrase: evm-keystore.ts) or the environment into a Secret that never prints (not in logs, not in JSON, not in util.inspect) — or the
// key lives elsewhere and an external signer (RAMPART_EVM_SIGNER_URL) signs for the configured address.
import fs from "node:fs";
import { inspect } from "node:util";
import { httpUrlProblem } from "../core/shared/http-url.js";
import { ConfigError, type Env, int } from "./config.js";
import { KeystoreError, decryptKeystore } from "./evm-keystore.js";

/** A value that is never printed: JSON, string conversion and inspection all show "[redacted]". */
class Secret<T> {
  readonly #value: T;
  constructor(value: T) {
    this.#value = value;
  }
  reveal(): T {
    return this.#value;
  }
  toJSON() {
    return "[redacted]";
  }
  toString() {
    return "[redacted]";
  }
  [inspect.custom]() {
    return "[redacted]";
  }
}

export interface EvmConfig {
  /** JSON-RPC endpoints, first preferred; the next is tried when one is down or answers garbage. */
  rpcUrls: string[];
  chainId: number;
  /** A payout (and a deposit) counts once its block is this deep. */
  confirmations: number;
  /** Asset symbol → ERC-20 contract address (checksummed) for the "erc20" network. */
  tokens: Record<string, `0x${string}`>;
  /**
   * Who signs for the hot wallet: its private key (0x + 64 hex, from RAMPART_EVM_HOT_WALLET_KEY_FILE or
   * _KEY), or an external signer answering eth_signTransaction for `address` (lower-case; RAMPART_EVM_SIGNER_URL
   * and _ADDRESS; its URL may carry a token, so it never prints either).
   */
  hotWallet: { kind: "key"; key: Secret<`0x${string}`> } | { kind: "external"; url: Secret<string>; address: `0x${string}` };
  /** No transaction is ever signed with a max fee per gas above this (wei). */
  maxFeePerGasCapWei: bigint;
  /** The priority fee (tip) offered on a first send (wei). */
  priorityFeeWei: bigint;
  /** A payout not mined after this long, or priced below the current base fee, is re-signed with a higher fee. */
  replaceAfterSeconds: number;
  /** The console and /readyz warn when the hot wallet's native balance falls below this (wei). */
  lowBalanceWei: bigint;
  /** Per-request timeout of an RPC call before the next URL is tried. */
  rpcTimeoutMs: number;
  /**
   * Contracts a payout may pay (lower-case), from RAMPART_EVM_CONTRACT_RECIPIENTS. Any other address
   * with code is refused: tokens sent to a contract that does not expect them are usually lost.
   */
  contractRecipients: ReadonlySet<string>;
}

const GWEI = 1_000_000_000n;

function gwei(env: Env, name: string, dflt: string): bigint {
  const raw = env[name]?.trim() || dflt;
  const m = /^(\d{1,9})(?:\.(\d{1,9}))?$/.exec(raw);
  if (!m) throw new ConfigError(name, `must be an amount in gwei with at most 9 decimals, got "${raw}"`);
  return BigInt(m[1]!) * GWEI + BigInt((m[2] ?? "").padEnd(9, "0"));
}

function eth(env: Env, name: string, dflt: string): bigint {
  const raw = env[name]?.trim() || dflt;
  const m = /^(\d{1,12})(?:\.(\d{1,18}))?$/.exec(raw);
  if (!m) throw new ConfigError(name, `must be an amount of the native coin with at most 18 decimals, got "${raw}"`);
  return BigInt(m[1]!) * 10n ** 18n + BigInt((m[2] ?? "").padEnd(18, "0"));
}

function hotWalletKey(env: Env): Secret<`0x${string}`> {
  const file = env.RAMPART_EVM_HOT_WALLET_KEY_FILE?.trim();
  const inline = env.RAMPART_EVM_HOT_WALLET_KEY?.trim();
  if (file && inline) throw new ConfigError("RAMPART_EVM_HOT_WALLET_KEY", "set either RAMPART_EVM_HOT_WALLET_KEY or RAMPART_EVM_HOT_WALLET_KEY_FILE, not both");
  let raw: string;
  let name: string;
  if (file) {
    name = "RAMPART_EVM_HOT_WALLET_KEY_FILE";
    try {
      raw = fs.readFileSync(file, "utf8").trim();
    } catch {
      throw new ConfigError(name, `cannot read the key file "${file}"`);
    }
  } else if (inline) {
    name = "RAMPART_EVM_HOT_WALLET_KEY";
    raw = inline;
  } else {
    throw new ConfigError("RAMPART_EVM_HOT_WALLET_KEY_FILE", "is required with RAMPART_CHAIN=evm: a file holding the hot wallet's private key (0x + 64 hex), unless RAMPART_EVM_SIGNER_URL names an external signer");
  }
  const passphrase = keystorePassphrase(env);
  if (raw.startsWith("{")) {
    if (name !== "RAMPART_EVM_HOT_WALLET_KEY_FILE") throw new ConfigError(name, "a keystore (JSON) is read from RAMPART_EVM_HOT_WALLET_KEY_FILE only");
    if (passphrase === null) throw new ConfigError("RAMPART_EVM_HOT_WALLET_PASSPHRASE_FILE", "is required: RAMPART_EVM_HOT_WALLET_KEY_FILE holds a keystore, encrypted with a passphrase");
    try {
      raw = decryptKeystore(raw, passphrase);
    } catch (err) {
      if (err instanceof KeystoreError) throw new ConfigError(name, `the keystore ${err.message}`);
      throw err;
    }
  } else if (passphrase !== null) {
    throw new ConfigError("RAMPART_EVM_HOT_WALLET_PASSPHRASE_FILE", "is only read when RAMPART_EVM_HOT_WALLET_KEY_FILE holds a keystore (JSON)");
  }
  const key = raw.startsWith("0x") ? raw : `0x${raw}`;
  // The message never echoes the value.
  if (!/^0x[0-9a-fA-F]{64}$/.test(key) || /^0x0{64}$/.test(key)) throw new ConfigError(name, "must hold a private key: 64 hex digits, optionally 0x-prefixed");
  return new Secret(key.toLowerCase() as `0x${string}`);
}

/** The keystore's passphrase: a file's content (its trailing newline dropped) or the variable; null when neither is set. */
function keystorePassphrase(env: Env): string | null {
  const file = env.RAMPART_EVM_HOT_WALLET_PASSPHRASE_FILE?.trim();
  const inline = env.RAMPART_EVM_HOT_WALLET_PASSPHRASE;
  if (file && inline) throw new ConfigError("RAMPART_EVM_HOT_WALLET_PASSPHRASE", "set either RAMPART_EVM_HOT_WALLET_PASSPHRASE or RAMPART_EVM_HOT_WALLET_PASSPHRASE_FILE, not both");
  if (!file) return inline ? inline : null;
  try {
    return fs.readFileSync(file, "utf8").replace(/\r?\n$/, "");
  } catch {
    throw new ConfigError("RAMPART_EVM_HOT_WALLET_PASSPHRASE_FILE", `cannot read the passphrase file "${file}"`);
  }
}

/** The external signer, when RAMPART_EVM_SIGNER_URL is set (then no key may be). */
function externalSigner(env: Env): EvmConfig["hotWallet"] | null {
  const url = env.RAMPART_EVM_SIGNER_URL?.trim();
  const address = env.RAMPART_EVM_SIGNER_ADDRESS?.trim();
  if (!url) {
    if (address) throw new ConfigError("RAMPART_EVM_SIGNER_ADDRESS", "is only read with RAMPART_EVM_SIGNER_URL");
    return null;
  }
  if (env.RAMPART_EVM_HOT_WALLET_KEY?.trim() || env.RAMPART_EVM_HOT_WALLET_KEY_FILE?.trim() || env.RAMPART_EVM_HOT_WALLET_PASSPHRASE || env.RAMPART_EVM_HOT_WALLET_PASSPHRASE_FILE?.trim()) {
    throw new ConfigError("RAMPART_EVM_SIGNER_URL", "set either an external signer or the hot wallet's key (RAMPART_EVM_HOT_WALLET_KEY[_FILE], a keystore's RAMPART_EVM_HOT_WALLET_PASSPHRASE[_FILE]), not both");
  }
  const problem = httpUrlProblem(url);
  if (problem) throw new ConfigError("RAMPART_EVM_SIGNER_URL", problem);
  if (!address) throw new ConfigError("RAMPART_EVM_SIGNER_ADDRESS", "is required with RAMPART_EVM_SIGNER_URL: the hot wallet's address the signer signs for (0x + 40 hex)");
  // Its case (an EIP-55 checksum) is not checked here: the CLI loads this file and no hash library. A
  // wrong address cannot pay anything: every signature must recover to it.
  if (!/^0x[0-9a-fA-F]{40}$/.test(address) || /^0x0{40}$/.test(address)) throw new ConfigError("RAMPART_EVM_SIGNER_ADDRESS", `must be the hot wallet's address (0x + 40 hex, not zero), got "${address}"`);
  return { kind: "external", url: new Secret(url), address: address.toLowerCase() as `0x${string}` };
}

function contractRecipients(env: Env): ReadonlySet<string> {
  const raw = env.RAMPART_EVM_CONTRACT_RECIPIENTS?.trim() ?? "";
  const out = new Set<string>();
  for (const item of raw.split(",").map((s) => s.trim()).filter(Boolean)) {
    if (!/^0x[0-9a-fA-F]{40}$/.test(item)) throw new ConfigError("RAMPART_EVM_CONTRACT_RECIPIENTS", `expected 0x addresses separated by commas, got "${item}"`);
    out.add(item.toLowerCase());
  }
  return out;
}

function tokens(env: Env): Record<string, `0x${string}`> {
  const out: Record<string, `0x${string}`> = {};
  const raw = env.RAMPART_EVM_TOKENS?.trim() ?? "";
  for (const item of raw.split(",").map((s) => s.trim()).filter(Boolean)) {
    const m = /^([A-Z0-9]{2,10})=(0x[0-9a-fA-F]{40})$/.exec(item);
    if (!m) throw new ConfigError("RAMPART_EVM_TOKENS", `expected SYMBOL=0xContract items, e.g. USDT=0xdAC17F958D2ee523a2206206994597C13D831ec7, got "${item}"`);
    out[m[1]!] = m[2]! as `0x${string}`;
  }
  return out;
}

/** What reading the chain needs: the manual chain's tx-hash check uses only these (no hot wallet). */
export type EvmReadConfig = Pick<EvmConfig, "rpcUrls" | "chainId" | "confirmations" | "tokens" | "rpcTimeoutMs">;

/**
 * The node settings shared by RAMPART_CHAIN=evm and the manual chain's check of an entered tx hash
 * (RAMPART_CHAIN=manual with RAMPART_EVM_RPC_URLS set); `chain` names the setting in the messages.
 */
export function evmReadConfig(env: Env, chain: "evm" | "manual"): EvmReadConfig {
  const rpcUrls = (env.RAMPART_EVM_RPC_URLS ?? "").split(",").map((u) => u.trim()).filter(Boolean);
  if (rpcUrls.length === 0) throw new ConfigError("RAMPART_EVM_RPC_URLS", `is required with RAMPART_CHAIN=${chain}: one or more JSON-RPC URLs, comma separated, first preferred`);
  for (const u of rpcUrls) {
    const problem = httpUrlProblem(u);
    if (problem) throw new ConfigError("RAMPART_EVM_RPC_URLS", problem);
  }
  const chainIdRaw = env.RAMPART_EVM_CHAIN_ID?.trim();
  if (!chainIdRaw) throw new ConfigError("RAMPART_EVM_CHAIN_ID", `is required with RAMPART_CHAIN=${chain} and RAMPART_EVM_RPC_URLS (1 for Ethereum mainnet); a node on another chain is refused`);
  return {
    rpcUrls,
    chainId: int(env, "RAMPART_EVM_CHAIN_ID", 1, 1, 2_147_483_647),
    confirmations: int(env, "RAMPART_EVM_CONFIRMATIONS", 12, 1, 1000),
    tokens: tokens(env),
    rpcTimeoutMs: int(env, "RAMPART_EVM_RPC_TIMEOUT_MS", 10_000, 100, 120_000),
  };
}

export function evmConfig(env: Env): EvmConfig {
  const read = evmReadConfig(env, "evm");
  const maxFeePerGasCapWei = gwei(env, "RAMPART_EVM_MAX_FEE_GWEI", "200");
  const priorityFeeWei = gwei(env, "RAMPART_EVM_PRIORITY_FEE_GWEI", "1.5");
  if (priorityFeeWei > maxFeePerGasCapWei) throw new ConfigError("RAMPART_EVM_PRIORITY_FEE_GWEI", "must not exceed RAMPART_EVM_MAX_FEE_GWEI");
  return {
    ...read,
    hotWallet: externalSigner(env) ?? { kind: "key", key: hotWalletKey(env) },
    maxFeePerGasCapWei,
    priorityFeeWei,
    replaceAfterSeconds: int(env, "RAMPART_EVM_REPLACE_AFTER_SECONDS", 180, 1, 86_400),
    lowBalanceWei: eth(env, "RAMPART_EVM_LOW_BALANCE_ETH", "0.1"),
    contractRecipients: contractRecipients(env),
  };
}
