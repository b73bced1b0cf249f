// The chain's node as operations see it (/readyz, /metrics, the console's hot-wallet card): whether it
// answers (its head block) and how far the trader deposit watcher is behind it — the head minus the
// last block the watcher has scanned (its cursor in the database, so any process can tell, not only
// the worker that runs it). The watcher scans only up to head − confirmations + 1, so a watcher that is
// keeping up shows a lag of RAMPART_EVM_CONFIRMATIONS − 1; more than confirmations + one run's blocks
// means it is falling behind. Read from the node on demand, cached for HEALTH_CACHE_MS so scrapes,
// probes and pages together cost one node call, and bounded by HEALTH_TIMEOUT_MS: a node that hangs
// reads as down rather than holding a readiness probe.
import { Gauge, type Registry } from "prom-client";
import { readCursor } from "../../db/chain/evm-deposits.js";
import type { Deps } from "../deps.js";

const HEALTH_CACHE_MS = 5_000;
const HEALTH_TIMEOUT_MS = 1_500;

export interface ChainHealth {
  /** up: the node answered its head block; down: it failed, answered garbage or not within the timeout. */
  node: "up" | "down";
  headBlock: bigint | null;
  /** null without a deposit watcher (RAMPART_EVM_DEPOSIT_XPUB unset). */
  depositWatcher: {
    /** The last block scanned; null before the first run. */
    lastScannedBlock: bigint | null;
    /** headBlock − lastScannedBlock; null while either is unknown. */
    lagBlocks: bigint | null;
    /** The lag above which the watcher is falling behind: confirmations + one run's blocks. */
    behindAboveBlocks: bigint;
  } | null;
}

const cache = new WeakMap<Deps, { at: number; health: Promise<ChainHealth | null> }>();

function headOf(deps: Deps): (() => Promise<bigint>) | null {
  const deposits = deps.ports.chainDeposits;
  if (deposits) return () => deposits.head();
  const chain = deps.ports.chain;
  return chain.headBlock ? () => chain.headBlock!() : null;
}

function timeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}

async function readHealth(deps: Deps, head: () => Promise<bigint>): Promise<ChainHealth> {
  const source = deps.ports.chainDeposits;
  const config = deps.config.ports.evmDeposits;
  const [headBlock, cursor] = await Promise.all([
    timeout(head(), HEALTH_TIMEOUT_MS).catch((err: unknown) => {
      deps.logger.warn({ reason: err instanceof Error ? err.message.split("\n")[0] : String(err) }, "the chain's node did not answer its head block");
      return null;
    }),
    // A database that fails here is /readyz's own finding; the lag is then unknown.
    source ? readCursor(deps.database.db, source.chainId).catch(() => null) : Promise.resolve(null),
  ]);
  const lastScannedBlock = cursor === null ? null : cursor - 1n;
  return {
    node: headBlock === null ? "down" : "up",
    headBlock,
    depositWatcher:
      source && config
        ? {
            lastScannedBlock,
            lagBlocks: headBlock !== null && lastScannedBlock !== null ? headBlock - lastScannedBlock : null,
            behindAboveBlocks: BigInt(config.confirmations + config.blocksPerRun),
          }
        : null,
  };
}

/** The chain's health; null when this process talks to no chain node (sandbox, manual chain). */
export function chainHealth(deps: Deps): Promise<ChainHealth | null> {
  const head = headOf(deps);
  if (!head) return Promise.resolve(null);
  const now = deps.clock.now().getTime();
  let c = cache.get(deps);
  if (!c || now - c.at >= HEALTH_CACHE_MS) {
    c = { at: now, health: readHealth(deps, head) };
    cache.set(deps, c);
  }
  return c.health;
}

/**
 * rampart_evm_deposit_watcher_lag_blocks (absent while the node does not answer) and the lag above which
 * the watcher is falling behind, when a deposit watcher is configured.
 */
export function registerChainHealthGauges(registry: Registry, deps: Deps): void {
  const source = deps.ports.chainDeposits;
  const config = deps.config.ports.evmDeposits;
  if (!source || !config) return;
  // Labelled by chain id: an unlabelled gauge would read 0 (keeping up) while the lag is unknown.
  const labels = { chain_id: String(source.chainId) };
  const labelNames = ["chain_id"];
  new Gauge({
    name: "rampart_evm_deposit_watcher_lag_blocks",
    help: "The chain's head block minus the last block the trader deposit watcher scanned (RAMPART_EVM_CONFIRMATIONS - 1 when keeping up; absent while the node does not answer or before the first run)",
    labelNames,
    registers: [registry],
    async collect() {
      this.reset();
      const lag = (await chainHealth(deps))?.depositWatcher?.lagBlocks;
      if (lag !== null && lag !== undefined) this.set(labels, Number(lag));
    },
  });
  new Gauge({
    name: "rampart_evm_deposit_watcher_behind_threshold_blocks",
    help: "A deposit watcher lag above this is falling behind: RAMPART_EVM_CONFIRMATIONS + RAMPART_EVM_DEPOSIT_BLOCKS_PER_RUN",
    labelNames,
    registers: [registry],
    collect() {
      this.set(labels, config.confirmations + config.blocksPerRun);
    },
  });
}
