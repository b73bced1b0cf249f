// Crypto assets are per network: USDT on TRON and USDT on Ethereum are different things to send.
import { AppError } from "../shared/errors.js";
import { chainOfAlias, chainOfNetwork } from "./network-aliases.js";

export type AddressFormat = "bitcoin" | "ethereum" | "tron";

export interface CryptoAsset {
  symbol: string; // "USDT"
  network: string; // "trc20"
  name: string; // "Tether USD (TRON)"
  decimals: number;
  addressFormat: AddressFormat;
}

export const BUILTIN_ASSETS: readonly CryptoAsset[] = [
  { symbol: "BTC", network: "bitcoin", name: "Bitcoin", decimals: 8, addressFormat: "bitcoin" },
  { symbol: "ETH", network: "ethereum", name: "Ether", decimals: 18, addressFormat: "ethereum" },
  { symbol: "USDT", network: "trc20", name: "Tether USD (TRON)", decimals: 6, addressFormat: "tron" },
  { symbol: "USDT", network: "erc20", name: "Tether USD (Ethereum)", decimals: 6, addressFormat: "ethereum" },
  { symbol: "USDC", network: "erc20", name: "USD Coin (Ethereum)", decimals: 6, addressFormat: "ethereum" },
];

/** The assets an installation supports: the built-ins plus whatever the operator adds. */
export class AssetRegistry {
  readonly #assets = new Map<string, CryptoAsset>();

  constructor(assets: readonly CryptoAsset[] = BUILTIN_ASSETS) {
    for (const a of assets) this.add(a);
  }

  static key(symbol: string, network: string): string {
    return `${symbol.toUpperCase()}/${network.toLowerCase()}`;
  }

  add(asset: CryptoAsset): void {
    if (!/^[A-Z0-9]{2,10}$/.test(asset.symbol)) throw new AppError("validation_failed", { field: "symbol" });
    if (!/^[a-z0-9_-]{2,20}$/.test(asset.network)) throw new AppError("validation_failed", { field: "network" });
    if (!Number.isInteger(asset.decimals) || asset.decimals < 0 || asset.decimals > 18) {
      throw new AppError("validation_failed", { field: "decimals" });
    }
    this.#assets.set(AssetRegistry.key(asset.symbol, asset.network), asset);
  }

  /** By Rampart's network name or a ticker-style alias of its chain ("TRX", "ERC-20"), case-insensitively. */
  get(symbol: string, network: string, field = "network"): CryptoAsset {
    const asset = this.#find(symbol, network);
    if (!asset) throw new AppError("unknown_currency", { field, message: `Unknown asset ${symbol} on network ${network}` });
    return asset;
  }

  #find(symbol: string, network: string): CryptoAsset | undefined {
    const exact = this.#assets.get(AssetRegistry.key(symbol, network));
    if (exact) return exact;
    for (const name of chainOfAlias(network)?.networks ?? []) {
      const onChain = this.#assets.get(AssetRegistry.key(symbol, name));
      if (onChain) return onChain;
    }
    return undefined;
  }

  /** The aliases that resolve to this asset (those of its chain that pick another network are left out). */
  aliasesOf(asset: CryptoAsset): string[] {
    return (chainOfNetwork(asset.network)?.aliases ?? []).filter((alias) => this.#find(asset.symbol, alias) === asset);
  }

  /** Networks an asset symbol is offered on. */
  networksOf(symbol: string): CryptoAsset[] {
    return [...this.#assets.values()].filter((a) => a.symbol === symbol.toUpperCase());
  }

  list(): CryptoAsset[] {
    return [...this.#assets.values()];
  }
}
