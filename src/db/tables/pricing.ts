import type { ColumnType } from "kysely";
import type { CreatedAt } from "./foundation.js";

/** jsonb: both engines parse it on the way out; written as a JSON string. */
type Json<T> = ColumnType<T, string, string>;

interface PairLimitsJson {
  [method: string]: { minMinor: string; maxMinor: string };
}

interface FeeScheduleJson {
  percentBps: number;
  fixedMinor: string;
  tiers?: { fromMinor: string; percentBps: number; fixedMinor: string }[];
}

interface AssetsTable {
  symbol: string;
  network: string;
  name: string;
  decimals: number;
  address_format: string;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
}

export interface PairsTable {
  id: string;
  fiat: string;
  crypto: string;
  network: string;
  limits: Json<PairLimitsJson>;
  spread_bps: number;
  fees: Json<FeeScheduleJson>;
  network_fee_minor: string;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface PricingTables {
  assets: AssetsTable;
  pairs: PairsTable;
}
