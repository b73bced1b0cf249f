// Tables of the risk engine (migration 0026_a). int8 columns arrive as strings.
import type { ColumnType } from "kysely";

interface RiskRulesTable {
  id: string;
  merchant_id: string | null;
  name: string;
  weight: number;
  /** RiskRuleSpec (core/risk/rules.ts); written as JSON text. */
  spec: ColumnType<unknown, string, string>;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Date;
  updated_at: Date;
}

interface RiskSettingsTable {
  merchant_id: string;
  review_at: number;
  block_at: number;
  page_access: ColumnType<"off" | "log" | "deny", "off" | "log" | "deny" | undefined, "off" | "log" | "deny">;
  updated_at: Date;
}

interface RiskVelocityEventsTable {
  key: string;
  at: Date;
  amount_minor: ColumnType<string, bigint | string, never>;
  currency: string;
  user_id: string | null;
  payment_id: string;
}

interface RiskPayerStatsTable {
  merchant_id: string;
  user_id: string;
  payments_seen: ColumnType<number, number | undefined, number>;
  not_paid_disputes: ColumnType<number, number | undefined, number>;
}

interface RiskDecisionsTable {
  id: string;
  merchant_id: string;
  flow: "trading" | "intent" | "card";
  payment_id: string | null;
  decision: "allow" | "review" | "block";
  score: number;
  /** RiskReason[] (core/risk/decision.ts); written as JSON text. */
  reasons: ColumnType<unknown, string, never>;
  review_status: "pending" | "released" | "rejected" | null;
  reviewed_by: string | null;
  reviewed_at: Date | null;
  created_at: Date;
}

export interface RiskTables {
  risk_rules: RiskRulesTable;
  risk_settings: RiskSettingsTable;
  risk_velocity_events: RiskVelocityEventsTable;
  risk_payer_stats: RiskPayerStatsTable;
  risk_decisions: RiskDecisionsTable;
}
