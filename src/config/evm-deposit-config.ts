// Trader deposits on the EVM chain (RAMPART_CHAIN=evm with RAMPART_EVM_DEPOSIT_XPUB): every trader's
// deposit address is a non-hardened BIP32 child of one extended PUBLIC key, so the server can derive
// addresses and watch them but never spend from them. An extended private key is refused.
import { HDKey } from "@scure/bip32";
import { ConfigError, type Env, int } from "./config.js";
import type { EvmReadConfig } from "./evm-config.js";

export interface EvmDepositConfig {
  /** The extended public key (xpub…) every deposit address is derived from, child index per trader. */
  xpub: string;
  /** A deposit is credited once its block is this deep (RAMPART_EVM_CONFIRMATIONS). */
  confirmations: number;
  /** Until its block is this deep, a credited deposit whose block leaves the chain is reversed. */
  finalityBlocks: number;
  /** At most this many blocks are read per watcher run (one eth_getLogs range, one block read each). */
  blocksPerRun: number;
  /** The first block the watcher reads on a database without a cursor; null: the confirmed head then. */
  startBlock: bigint | null;
}

function xpub(env: Env): string {
  const raw = env.RAMPART_EVM_DEPOSIT_XPUB!.trim();
  let key: HDKey;
  try {
    key = HDKey.fromExtendedKey(raw);
  } catch {
    throw new ConfigError("RAMPART_EVM_DEPOSIT_XPUB", "must be a BIP32 extended public key (xpub…)");
  }
  // The message never echoes the value: an xprv pasted by mistake stays out of the logs.
  if (key.privateKey) throw new ConfigError("RAMPART_EVM_DEPOSIT_XPUB", "holds a private key: give the extended PUBLIC key (xpub…); the server never needs to spend deposits");
  return raw;
}

export function evmDepositConfig(env: Env, read: EvmReadConfig): EvmDepositConfig | null {
  if (!env.RAMPART_EVM_DEPOSIT_XPUB?.trim()) return null;
  const finalityBlocks = int(env, "RAMPART_EVM_DEPOSIT_FINALITY_BLOCKS", 64, 1, 10_000);
  if (finalityBlocks < read.confirmations) throw new ConfigError("RAMPART_EVM_DEPOSIT_FINALITY_BLOCKS", `must be at least RAMPART_EVM_CONFIRMATIONS (${read.confirmations})`);
  const start = env.RAMPART_EVM_DEPOSIT_START_BLOCK?.trim();
  if (start && !/^\d{1,15}$/.test(start)) throw new ConfigError("RAMPART_EVM_DEPOSIT_START_BLOCK", `must be a block number, got "${start}"`);
  return {
    xpub: xpub(env),
    confirmations: read.confirmations,
    finalityBlocks,
    blocksPerRun: int(env, "RAMPART_EVM_DEPOSIT_BLOCKS_PER_RUN", 100, 1, 2000),
    startBlock: start ? BigInt(start) : null,
  };
}
