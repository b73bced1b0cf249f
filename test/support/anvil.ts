// A real local EVM node for the chain tests: anvil (from the @foundry-rs/anvil dev dependency) on a free
// loopback port, one per test file, plus the test ERC-20 (test/fixtures/erc20/TestUSDT.sol, 6 decimals,
// or as many as a test asks for) compiled with solc from npm and deployed from the node's first funded account.
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import {
  type Abi,
  type Address,
  type Chain,
  type Hex,
  createPublicClient,
  createWalletClient,
  defineChain,
  erc20Abi,
  http,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const ANVIL_BIN = path.join(ROOT, "node_modules/.bin/anvil");
const TOKEN_SOURCE = path.join(ROOT, "test/fixtures/erc20/TestUSDT.sol");

export const ANVIL_CHAIN_ID = 31337;

export interface Anvil {
  url: string;
  /** The private keys of the node's funded accounts (10,000 ETH each), as anvil printed them. */
  keys: Hex[];
  chain: Chain;
  /** A raw JSON-RPC call (anvil_* and evm_* methods included). */
  rpc<T = unknown>(method: string, params?: unknown[]): Promise<T>;
  /** Mines n blocks at once. */
  mine(n?: number): Promise<void>;
  blockNumber(): Promise<bigint>;
  stop(): Promise<void>;
}

/** Starts anvil on a free loopback port (port 0) and resolves once it listens. */
export async function startAnvil(extraArgs: string[] = []): Promise<Anvil> {
  const child: ChildProcess = spawn(ANVIL_BIN, ["--host", "127.0.0.1", "--port", "0", "--chain-id", String(ANVIL_CHAIN_ID), ...extraArgs], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (c: Buffer) => {
      out += c.toString();
      const m = /Listening on (127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        child.stdout!.off("data", onData);
        resolve(`http://${m[1]}`);
      }
    };
    child.stdout!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`anvil exited (${code}) before listening:\n${out}`)));
  });
  const keys = [...(out.split("Private Keys")[1] ?? "").matchAll(/\(\d+\) (0x[0-9a-f]{64})/g)].map((m) => m[1] as Hex);
  if (keys.length === 0) throw new Error(`anvil printed no private keys:\n${out}`);
  // Keep draining its output so a chatty node never blocks on a full pipe.
  child.stdout!.resume();
  child.stderr!.resume();
  const chain = defineChain({
    id: ANVIL_CHAIN_ID,
    name: "anvil",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [url] } },
  });
  let id = 0;
  const rpc = async <T,>(method: string, params: unknown[] = []): Promise<T> => {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params }),
    });
    const body = (await res.json()) as { result?: T; error?: { message: string } };
    if (body.error) throw new Error(`${method}: ${body.error.message}`);
    return body.result as T;
  };
  return {
    url,
    keys,
    chain,
    rpc,
    async mine(n = 1) {
      await rpc("anvil_mine", [`0x${n.toString(16)}`]);
    },
    async blockNumber() {
      return BigInt(await rpc<string>("eth_blockNumber"));
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

interface Compiled {
  abi: Abi;
  bytecode: Hex;
}

/**
 * The test token compiled with solc (npm, offline), with `decimals` in place of its 6. The result is
 * cached in the temp dir under the hash of the source and the compiler version, so only the first
 * test file of a run pays for it.
 */
function compileTestToken(decimals: number): Compiled {
  const require = createRequire(import.meta.url);
  const DECIMALS = "uint8 public constant decimals = 6;";
  const original = fs.readFileSync(TOKEN_SOURCE, "utf8");
  if (!original.includes(DECIMALS)) throw new Error(`TestUSDT.sol no longer declares "${DECIMALS}"`);
  const source = original.replace(DECIMALS, `uint8 public constant decimals = ${decimals};`);
  // Keyed by the package's version: loading solc itself takes seconds.
  const solcVersion = (require("solc/package.json") as { version: string }).version;
  const key = createHash("sha256").update(solcVersion).update(source).digest("hex").slice(0, 16);
  const cache = path.join(os.tmpdir(), `rampart-testusdt-${key}.json`);
  if (fs.existsSync(cache)) return JSON.parse(fs.readFileSync(cache, "utf8")) as Compiled;
  const solc = require("solc") as { compile(input: string): string };
  const input = {
    language: "Solidity",
    sources: { "TestUSDT.sol": { content: source } },
    settings: { optimizer: { enabled: true, runs: 200 }, outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } } },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
  };
  const errors = (output.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length) throw new Error(`solc: ${errors.map((e) => e.formattedMessage).join("\n")}`);
  const c = output.contracts["TestUSDT.sol"]!["TestUSDT"]!;
  const compiled: Compiled = { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
  const tmp = `${cache}.${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(compiled));
  fs.renameSync(tmp, cache);
  return compiled;
}

/** Deploys the test USDT (6 decimals unless told) from `deployerKey` (who receives the whole supply); returns its address. */
export async function deployTestToken(anvil: Anvil, deployerKey: Hex, supplyMinor: bigint, decimals = 6): Promise<Address> {
  const { abi, bytecode } = compileTestToken(decimals);
  const account = privateKeyToAccount(deployerKey);
  const wallet = createWalletClient({ account, chain: anvil.chain, transport: http(anvil.url) });
  const hash = await wallet.deployContract({ abi, bytecode, args: [supplyMinor], chain: anvil.chain });
  const receipt = await publicClient(anvil).waitForTransactionReceipt({ hash, pollingInterval: 50 });
  if (!receipt.contractAddress || receipt.status !== "success") throw new Error("test token deployment failed");
  return receipt.contractAddress;
}

export function publicClient(anvil: Anvil) {
  return createPublicClient({ chain: anvil.chain, transport: http(anvil.url) });
}

export async function tokenBalance(anvil: Anvil, token: Address, owner: Address): Promise<bigint> {
  return publicClient(anvil).readContract({ address: token, abi: erc20Abi, functionName: "balanceOf", args: [owner] });
}

export async function ethBalance(anvil: Anvil, owner: Address): Promise<bigint> {
  return publicClient(anvil).getBalance({ address: owner });
}
