// The trader deposit watcher's view of the EVM chain: deposit addresses derived from the configured
// extended public key (no private key anywhere), block hashes, and the transfers in a block range —
// the configured tokens' ERC-20 Transfer logs (one eth_getLogs over the range) and native ETH
// transactions (each block read with its transactions). Every log must name the block hash read for
// its height: a range read across a reorg throws and the watcher retries it.
//
// A native transfer to a deposit address is a plain transaction to an externally owned account, which
// cannot revert once included, so a block's transaction list is enough (no receipt per transaction).
// ETH sent through a contract (an internal transfer) is not seen.
import { HDKey } from "@scure/bip32";
import { type Hex, erc20Abi, getAbiItem, toHex } from "viem";
import { publicKeyToAddress } from "viem/accounts";
import type { ChainDepositSource, ChainTransfer } from "../../../app/ports.js";
import type { EvmReadConfig } from "../../../config/evm-config.js";
import type { EvmDepositConfig } from "../../../config/evm-deposit-config.js";
import { createEvmRpc } from "./rpc.js";

const NATIVE = { asset: "ETH", decimals: 18 };
const TRANSFER = getAbiItem({ abi: erc20Abi, name: "Transfer" });
/** Blocks read at once: bounded so a long range never opens hundreds of requests together. */
const PARALLEL_BLOCKS = 10;

// secp256k1: y² = x³ + 7 over p. p ≡ 3 (mod 4), so a square root is a power (p + 1) / 4.
const P = 2n ** 256n - 2n ** 32n - 977n;
function modPow(base: bigint, exp: bigint): bigint {
  let result = 1n;
  let b = base % P;
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
  }
  return result;
}

/** A compressed public key (33 bytes) as the uncompressed 0x04‖x‖y an Ethereum address is hashed from. */
function uncompressed(compressed: Uint8Array): Hex {
  const x = BigInt(toHex(compressed.subarray(1)));
  let y = modPow((x ** 3n + 7n) % P, (P + 1n) / 4n);
  if ((y & 1n) !== BigInt(compressed[0]! & 1)) y = P - y;
  return `0x04${x.toString(16).padStart(64, "0")}${y.toString(16).padStart(64, "0")}`;
}

export function createEvmDepositSource(read: EvmReadConfig, deposits: EvmDepositConfig): ChainDepositSource {
  const rpc = createEvmRpc(read);
  const root = HDKey.fromExtendedKey(deposits.xpub);
  const tokenByAddress = new Map(Object.entries(read.tokens).map(([asset, address]) => [address.toLowerCase(), { asset, address }]));

  async function readBlocks(from: bigint, to: bigint) {
    const numbers: bigint[] = [];
    for (let n = from; n <= to; n++) numbers.push(n);
    const blocks = [];
    for (let i = 0; i < numbers.length; i += PARALLEL_BLOCKS) {
      const batch = numbers.slice(i, i + PARALLEL_BLOCKS);
      blocks.push(...(await Promise.all(batch.map((blockNumber) => rpc.client.getBlock({ blockNumber, includeTransactions: true })))));
    }
    return blocks;
  }

  return {
    chainId: read.chainId,
    xpub: deposits.xpub,
    deriveAddress(index) {
      const child = root.deriveChild(index);
      return publicKeyToAddress(uncompressed(child.publicKey!)).toLowerCase();
    },
    async head() {
      await rpc.ready();
      return rpc.client.getBlockNumber();
    },
    async blockHash(number) {
      await rpc.ready();
      const block = await rpc.client.getBlock({ blockNumber: number }).catch((err: unknown) => {
        if (err instanceof Error && err.name === "BlockNotFoundError") return null;
        throw err;
      });
      return block?.hash ?? null;
    },
    async scan(from, to) {
      await rpc.ready();
      const blocks = await readBlocks(from, to);
      const hashAt = new Map(blocks.map((b) => [b.number, b.hash]));
      const transfers: ChainTransfer[] = [];
      for (const b of blocks) {
        for (const tx of b.transactions) {
          if (tx.to && tx.value > 0n) {
            transfers.push({ txHash: tx.hash, logIndex: -1, blockNumber: b.number, blockHash: b.hash, to: tx.to.toLowerCase(), asset: NATIVE.asset, amountBase: tx.value, decimals: NATIVE.decimals });
          }
        }
      }
      if (tokenByAddress.size > 0) {
        const logs = await rpc.client.getLogs({ address: [...tokenByAddress.values()].map((t) => t.address), event: TRANSFER, fromBlock: from, toBlock: to, strict: true });
        for (const log of logs) {
          if (hashAt.get(log.blockNumber) !== log.blockHash) throw new Error(`block ${log.blockNumber} changed while its logs were read (a reorg): the range is read again`);
          const token = tokenByAddress.get(log.address.toLowerCase())!;
          if (log.args.value === 0n) continue;
          transfers.push({
            txHash: log.transactionHash,
            logIndex: log.logIndex,
            blockNumber: log.blockNumber,
            blockHash: log.blockHash,
            to: log.args.to.toLowerCase(),
            asset: token.asset,
            amountBase: log.args.value,
            decimals: await rpc.tokenDecimals(token.address),
          });
        }
      }
      return { blocks: blocks.map((b) => ({ number: b.number, hash: b.hash, parentHash: b.parentHash })), transfers };
    },
  };
}
