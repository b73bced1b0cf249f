// Kysely table types. Each area keeps its tables in its own file; DB joins them.
import type { FoundationTables } from "./tables/foundation.js";
import type { TradingTables } from "./tables/trading.js";

export interface DB extends FoundationTables, TradingTables {}
