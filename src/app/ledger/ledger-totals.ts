// Money at a glance for the operator: ledger balances summed per asset and account purpose.
import { BUILTIN_ASSETS } from "../../core/money/assets.js";
import { fiatScale, isFiat } from "../../core/money/currencies.js";
import { purposeTotals } from "../../db/ledger/ledger-audit.js";
import type { Deps } from "../deps.js";

interface PurposeTotal {
  purpose: string;
  accounts: number;
  posted: bigint;
  pendingDebits: bigint;
  pendingCredits: bigint;
}

interface AssetTotals {
  asset: string;
  /** Decimal places of the asset's minor unit, or null when unknown (amounts then shown in minor units). */
  scale: number | null;
  purposes: PurposeTotal[];
}

/** Minor-unit scale of a ledger asset: fiat from ISO 4217, crypto from the built-in assets. */
export function ledgerAssetScale(asset: string): number | null {
  if (isFiat(asset)) return fiatScale(asset);
  return BUILTIN_ASSETS.find((a) => a.symbol === asset)?.decimals ?? null;
}

export async function ledgerTotalsByPurpose(deps: Deps): Promise<AssetTotals[]> {
  const byAsset = new Map<string, AssetTotals>();
  for (const r of await purposeTotals(deps.database.db)) {
    const a = byAsset.get(r.asset) ?? { asset: r.asset, scale: ledgerAssetScale(r.asset), purposes: [] };
    a.purposes.push({
      purpose: r.purpose,
      accounts: Number(r.accounts),
      posted: BigInt(r.posted),
      pendingDebits: BigInt(r.pending_debits),
      pendingCredits: BigInt(r.pending_credits),
    });
    byAsset.set(r.asset, a);
  }
  return [...byAsset.values()];
}
