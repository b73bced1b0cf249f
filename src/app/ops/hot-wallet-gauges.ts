// The hot wallet on /metrics: what it holds per asset, the native coin's low-balance threshold, and
// whether the chain's node answered. Read from the node on scrape (a chain with no hot wallet, such as
// the sandbox or manual chain, registers nothing), cached for BALANCE_CACHE_MS like the database
// snapshot so several scrapers cost one read. A balance is a float here only because Prometheus has no
// other number type: it is shown and alerted on, never booked.
import { Gauge, type Registry } from "prom-client";
import { formatMinor } from "../../core/money/decimal.js";
import type { Deps } from "../deps.js";
import type { HotWalletBalance } from "../ports.js";

const BALANCE_CACHE_MS = 5_000;

const asNumber = (minor: bigint, decimals: number) => Number(formatMinor(minor, decimals));

/** Registers the hot wallet's gauges when the chain port pays from one (the chain is chosen at start). */
export function registerHotWalletGauges(registry: Registry, deps: Deps): void {
  const chain = deps.ports.chain;
  if (!chain.hotWalletBalances) return;
  const read = chain.hotWalletBalances.bind(chain);
  let cached: { at: number; balances: Promise<HotWalletBalance[] | null> } | null = null;
  const balances = () => {
    const now = deps.clock.now().getTime();
    if (!cached || now - cached.at >= BALANCE_CACHE_MS) {
      // A node that is down is a reading too (node up 0, no balances), kept for the cache's time so a
      // scrape storm does not pile requests onto a failing node.
      const p = read().catch((err: unknown) => {
        deps.logger.warn({ reason: err instanceof Error ? err.message.split("\n")[0] : String(err) }, "hot wallet balances could not be read from the chain's node");
        return null;
      });
      cached = { at: now, balances: p };
    }
    return cached.balances;
  };
  const registers = [registry];
  const labelNames = ["network", "asset"];
  new Gauge({
    name: "rampart_hot_wallet_balance",
    help: "What the hot wallet holds, by network and asset, in whole units of the asset (absent while the node does not answer)",
    labelNames,
    registers,
    async collect() {
      this.reset();
      for (const b of (await balances()) ?? []) this.set({ network: b.network, asset: b.asset }, asNumber(b.balanceMinor, b.decimals));
    },
  });
  new Gauge({
    name: "rampart_hot_wallet_low_balance_threshold",
    help: "Below this balance the hot wallet cannot be trusted to pay (the native coin pays every payout's gas): RAMPART_EVM_LOW_BALANCE_ETH",
    labelNames,
    registers,
    async collect() {
      this.reset();
      for (const b of (await balances()) ?? []) {
        if (b.lowBelowMinor !== null) this.set({ network: b.network, asset: b.asset }, asNumber(b.lowBelowMinor, b.decimals));
      }
    },
  });
  new Gauge({
    name: "rampart_chain_node_up",
    help: "1 when the chain's node answered the last hot-wallet read, 0 when it did not (payouts wait and retry meanwhile)",
    registers,
    async collect() {
      this.set((await balances()) === null ? 0 : 1);
    },
  });
}
