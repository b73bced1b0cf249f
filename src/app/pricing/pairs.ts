// Pairs come from the pairs table, except those RAMPART_PAIRS_FILE overrides (read once per path).
import fs from "node:fs";
import type { CryptoAsset } from "../../core/money/assets.js";
import { fiatScale } from "../../core/money/currencies.js";
import { type PairDefinition, pairId, parsePairSpec, type PairSpec, termsFor } from "../../core/pricing/pair.js";
import type { PairTerms } from "../../core/pricing/quote.js";
import { AppError } from "../../core/shared/errors.js";
import { findAsset, findPairWithAsset, listAssets } from "../../db/pricing/pricing-store.js";
import type { Db } from "../../db/schema.js";
import type { Deps } from "../deps.js";
import { readPairWithAsset } from "./pair-cache.js";

export interface PairKey {
  fiat: string;
  crypto: string;
  network: string;
}

interface LoadedPair {
  pair: PairDefinition;
  asset: CryptoAsset;
  fiatScale: number;
}

/** Reads and validates a pairs file; a bad file fails loudly naming the entry. */
function readPairsFile(file: string, assetDecimals: (crypto: string, network: string) => number): PairDefinition[] {
  let specs: unknown;
  try {
    specs = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`RAMPART_PAIRS_FILE ${file}: ${(err as Error).message}`, { cause: err });
  }
  if (!Array.isArray(specs)) throw new Error(`RAMPART_PAIRS_FILE ${file}: expected a JSON array of pairs`);
  return specs.map((s: PairSpec, i) => {
    try {
      return parsePairSpec(s, { fiatScale: fiatScale(s.fiat), cryptoDecimals: assetDecimals(s.crypto, s.network) });
    } catch (err) {
      throw new Error(`RAMPART_PAIRS_FILE ${file} entry ${i}: ${(err as Error).message}`, { cause: err });
    }
  });
}

const overrides = new Map<string, Promise<Map<string, PairDefinition>>>();

async function overridesFor(deps: Deps, db: Db): Promise<Map<string, PairDefinition>> {
  const file = deps.config.pricing.pairsFile;
  if (!file) return new Map();
  let loaded = overrides.get(file);
  if (!loaded) {
    loaded = (async () => {
      const decimals = new Map((await listAssets(db)).map((a) => [`${a.symbol}/${a.network}`, a.decimals]));
      const pairs = readPairsFile(file, (c, n) => {
        const d = decimals.get(`${c.toUpperCase()}/${n.toLowerCase()}`);
        if (d === undefined) throw new AppError("unknown_currency", { message: `Unknown asset ${c} on ${n}` });
        return d;
      });
      return new Map(pairs.map((p) => [p.id, p]));
    })();
    loaded.catch(() => overrides.delete(file));
    overrides.set(file, loaded);
  }
  return loaded;
}

/**
 * The pair for fiat→crypto on a network, with its asset; pair_unavailable when missing or disabled.
 * Read through the pair cache unless `db` is a transaction (which must see its own writes and locks).
 */
export async function loadPair(deps: Deps, key: PairKey, db: Db = deps.database.db): Promise<LoadedPair> {
  const fiat = key.fiat.toUpperCase();
  const crypto = key.crypto.toUpperCase();
  const network = key.network.toLowerCase();
  const override = (await overridesFor(deps, db)).get(pairId(fiat, crypto, network));
  const { pair, asset } = override
    ? { pair: override, asset: await findAsset(db, crypto, network) }
    : ((await (db === deps.database.db ? readPairWithAsset(deps, fiat, crypto, network) : findPairWithAsset(db, fiat, crypto, network))) ?? { pair: null, asset: null });
  if (!pair || !pair.enabled || !asset) {
    throw new AppError("pair_unavailable", { message: `${fiat}→${crypto} on ${network} is not available.` });
  }
  return { pair, asset, fiatScale: fiatScale(fiat, "fiat") };
}

/** The pure quote's terms for one payment method of a loaded pair. */
export function pairTerms(p: LoadedPair, method: string): PairTerms {
  return termsFor(p.pair, method, { fiatScale: p.fiatScale, cryptoDecimals: p.asset.decimals });
}
