// Ticker-style network names the provider's integrations send ("BTC", "TRX", "ERC-20"), one table for
// every dialect. Rampart's network names are per asset (Ether is on "ethereum", USDT on "erc20"), so
// an alias names a chain and AssetRegistry.get resolves it to the asset's network on that chain.
// A chain with no asset (BSC, Polygon in the built-ins) resolves to nothing: unknown_currency.

interface NetworkChain {
  /** Rampart's network names on this chain, in the order an alias tries them. */
  networks: readonly string[];
  /** Upper case; matched case-insensitively. */
  aliases: readonly string[];
}

const NETWORK_CHAINS: readonly NetworkChain[] = [
  { networks: ["bitcoin"], aliases: ["BTC", "BITCOIN"] },
  { networks: ["ethereum", "erc20"], aliases: ["ETH", "ETHEREUM", "ERC20", "ERC-20"] },
  { networks: ["trc20", "tron"], aliases: ["TRX", "TRON", "TRC20", "TRC-20"] },
  { networks: ["bep20", "bsc"], aliases: ["BSC", "BEP20", "BEP-20"] },
  { networks: ["polygon"], aliases: ["POLYGON", "MATIC"] },
];

/** The chain an alias names, or undefined when it names none. */
export function chainOfAlias(name: string): NetworkChain | undefined {
  const upper = name.toUpperCase();
  return NETWORK_CHAINS.find((c) => c.aliases.includes(upper));
}

/** The chain a Rampart network name belongs to (for listing its aliases). */
export function chainOfNetwork(network: string): NetworkChain | undefined {
  return NETWORK_CHAINS.find((c) => c.networks.includes(network));
}
