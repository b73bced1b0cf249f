// SQL for assets, pairs and quotes. Rows are converted to and from the core shapes here so minor
// units stay bigint everywhere above this file.
import type { Selectable } from "kysely";
import type { AddressFormat, CryptoAsset } from "../../core/money/assets.js";
import type { PairDefinition } from "../../core/pricing/pair.js";
import type { Db } from "../schema.js";
import type { PairsTable } from "../tables/pricing.js";
export async function listAssets(db: Db): Promise<CryptoAsset[]> {
  const rows = await db.selectFrom("assets").selectAll().where("enabled", "=", true).orderBy("symbol").orderBy("network").execute();
  return rows.map(toAsset);
}

const toAsset = (r: { symbol: string; network: string; name: string; decimals: number; address_format: string }): CryptoAsset => ({
  symbol: r.symbol,
  network: r.network,
  name: r.name,
  decimals: r.decimals,
  addressFormat: r.address_format as AddressFormat,
});

export async function findAsset(db: Db, symbol: string, network: string): Promise<CryptoAsset | null> {
  const r = await db.selectFrom("assets").selectAll().where("symbol", "=", symbol).where("network", "=", network).where("enabled", "=", true).executeTakeFirst();
  return r ? toAsset(r) : null;
}

function pairValues(p: PairDefinition) {
  return {
    id: p.id,
    fiat: p.fiat,
    crypto: p.crypto,
    network: p.network,
    limits: JSON.stringify(Object.fromEntries(Object.entries(p.limits).map(([m, l]) => [m, { minMinor: l.minMinor.toString(), maxMinor: l.maxMinor.toString() }]))),
    spread_bps: p.spreadBps,
    fees: JSON.stringify({
      percentBps: p.fees.percentBps,
      fixedMinor: p.fees.fixedMinor.toString(),
      ...(p.fees.tiers ? { tiers: p.fees.tiers.map((t) => ({ fromMinor: t.fromMinor.toString(), percentBps: t.percentBps, fixedMinor: t.fixedMinor.toString() })) } : {}),
    }),
    network_fee_minor: p.networkFeeMinor.toString(),
    enabled: p.enabled,
  };
}

/** Inserts a pair unless one with its id exists (seed: an operator's edits are kept). */
export async function insertPairIfMissing(db: Db, p: PairDefinition): Promise<void> {
  await db.insertInto("pairs").values(pairValues(p)).onConflict((oc) => oc.column("id").doNothing()).execute();
}

function toPair(r: Selectable<PairsTable>): PairDefinition {
  return {
    id: r.id,
    fiat: r.fiat,
    crypto: r.crypto,
    network: r.network,
    limits: Object.fromEntries(Object.entries(r.limits).map(([m, l]) => [m, { minMinor: BigInt(l.minMinor), maxMinor: BigInt(l.maxMinor) }])),
    spreadBps: r.spread_bps,
    fees: {
      percentBps: r.fees.percentBps,
      fixedMinor: BigInt(r.fees.fixedMinor),
      ...(r.fees.tiers ? { tiers: r.fees.tiers.map((t) => ({ fromMinor: BigInt(t.fromMinor), percentBps: t.percentBps, fixedMinor: BigInt(t.fixedMinor) })) } : {}),
    },
    networkFeeMinor: BigInt(r.network_fee_minor),
    enabled: r.enabled,
  };
}

/** The pair and its enabled asset in one round trip (every quote reads both). */
export async function findPairWithAsset(db: Db, fiat: string, crypto: string, network: string): Promise<{ pair: PairDefinition; asset: CryptoAsset | null } | null> {
  const r = await db
    .selectFrom("pairs as p")
    .leftJoin("assets as a", (join) => join.onRef("a.symbol", "=", "p.crypto").onRef("a.network", "=", "p.network").on("a.enabled", "=", true))
    .selectAll("p")
    .select(["a.symbol as asset_symbol", "a.network as asset_network", "a.name as asset_name", "a.decimals as asset_decimals", "a.address_format as asset_address_format"])
    .where("p.fiat", "=", fiat)
    .where("p.crypto", "=", crypto)
    .where("p.network", "=", network)
    .executeTakeFirst();
  if (!r) return null;
  const { asset_symbol, asset_network, asset_name, asset_decimals, asset_address_format, ...pair } = r;
  const asset =
    asset_symbol === null || asset_network === null || asset_name === null || asset_decimals === null || asset_address_format === null
      ? null
      : toAsset({ symbol: asset_symbol, network: asset_network, name: asset_name, decimals: asset_decimals, address_format: asset_address_format });
  return { pair: toPair(pair), asset };
}

export async function listPairs(db: Db): Promise<PairDefinition[]> {
  const rows = await db.selectFrom("pairs").selectAll().orderBy("id").execute();
  return rows.map(toPair);
}
