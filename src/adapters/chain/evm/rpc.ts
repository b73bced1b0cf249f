// The EVM node(s) behind RAMPART_EVM_RPC_URLS: a viem client over a fallback transport, so a node that
// is down, too slow (the per-request timeout) or answers garbage (rpc-answers.ts) hands the call to the
// next URL; when every URL fails the call throws, and the caller's job or run is retried.
// The node's chain id is checked once before the first use: a node of another chain is refused.
// Errors are stripped of the URLs (a provider's API key often sits in the path) as they leave the transport.
import { type Address, type Chain, type HttpTransport, type PublicClient, type Transport, createPublicClient, defineChain, erc20Abi, fallback, http } from "viem";
import type { EvmConfig } from "../../../config/evm-config.js";
import { type Redactor, redactError, urlRedactor } from "./redact-urls.js";
import { checkAnswer } from "./rpc-answers.js";

function evmChain(config: Pick<EvmConfig, "chainId" | "rpcUrls">): Chain {
  return defineChain({
    id: config.chainId,
    name: `evm-${config.chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: config.rpcUrls } },
  });
}

/**
 * An HTTP transport whose answers are checked for their method's shape before viem reads them, and
 * whose errors no longer name the URL before viem copies their text into the errors it wraps them in.
 */
function checkedHttp(url: string, timeoutMs: number, redact: Redactor): Transport {
  const inner: HttpTransport = http(url, { timeout: timeoutMs, retryCount: 0 });
  return (params) => {
    const t = inner(params);
    const request = (async (args: Parameters<typeof t.request>[0], options?: Parameters<typeof t.request>[1]) => {
      let result: unknown;
      try {
        result = await t.request(args, options);
      } catch (err) {
        redactError(err, redact);
        throw err;
      }
      checkAnswer(args.method, args.params, result);
      return result;
    }) as typeof t.request;
    return { ...t, request };
  };
}

export interface EvmRpc {
  client: PublicClient;
  /** Resolves once the node's chain id matched the configured one (checked once). */
  ready(): Promise<void>;
  /** Sends a signed transaction; resolves with the node's answer, or rejects with its error. */
  sendRaw(rawTx: `0x${string}`): Promise<void>;
  /** An ERC-20 contract's decimals, read once per contract (they never change). */
  tokenDecimals(token: Address): Promise<number>;
}

export function createEvmRpc(config: Pick<EvmConfig, "chainId" | "rpcUrls" | "rpcTimeoutMs">): EvmRpc {
  const redact = urlRedactor(config.rpcUrls);
  const client = createPublicClient({
    chain: evmChain(config),
    // viem caches the block number for 4 s by default: confirmations must count the head as it is now.
    cacheTime: 0,
    transport: fallback(
      config.rpcUrls.map((url) => checkedHttp(url, config.rpcTimeoutMs, redact)),
      { retryCount: 1, retryDelay: 100 },
    ),
  }) as PublicClient;
  let checked: Promise<void> | null = null;
  const ready = () => {
    checked ??= client.getChainId().then(
      (id) => {
        if (id !== config.chainId) throw new Error(`the EVM node is on chain ${id}, RAMPART_EVM_CHAIN_ID says ${config.chainId}`);
      },
      (err: unknown) => {
        checked = null; // a node that was down is asked again next time
        throw err;
      },
    );
    return checked;
  };
  const decimals = new Map<string, Promise<number>>();
  const tokenDecimals = (token: Address) => {
    const key = token.toLowerCase();
    let d = decimals.get(key);
    if (!d) {
      d = client.readContract({ address: token, abi: erc20Abi, functionName: "decimals" });
      d.catch(() => decimals.delete(key)); // a node that was down is asked again next time
      decimals.set(key, d);
    }
    return d;
  };
  return {
    client,
    ready,
    tokenDecimals,
    async sendRaw(rawTx) {
      await client.request({ method: "eth_sendRawTransaction", params: [rawTx] });
    },
  };
}
