// Kysely table types. Each area keeps its tables in its own file; DB joins them.
import type { FoundationTables } from "./tables/foundation.js";
import type { IntentTables } from "./tables/intents.js";

export interface DB extends FoundationTables, IntentTables {}
