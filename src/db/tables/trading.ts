// Tables of the trading dialect (migration 0004; trading_methods 0017_b; trading_payin_refunds 0053_c). int8 and numeric columns arrive as strings.
import type { ColumnType, Generated } from "kysely";
import type { TradingPayinStatus } from "../../core/trading/payin-status.js";
import type { TradingRefundStatus } from "../../core/trading/refund-status.js";
import type { CreatedAt } from "./foundation.js";

type Nullable<T> = ColumnType<T | null, T | null | undefined, T | null>;
type Int8 = ColumnType<string, bigint | string, bigint | string>;
type Int8Default = ColumnType<string, bigint | string | undefined, bigint | string>;
type NullableInt8 = ColumnType<string | null, bigint | string | null | undefined, bigint | string | null>;

interface TradingBanksTable {
  code: string;
  name: string;
  methods: string[];
  fiat_currency: string;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
}

interface TradingMethodsTable {
  code: string;
  name: string;
  /** RequisiteField[] (core/trading/requisite-fields.ts); written as JSON text. */
  requisite_fields: ColumnType<unknown, string, string>;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
}

interface TradersTable {
  id: string;
  name: string;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  /** Taken out of allocation by its dispute rate until an operator releases it (0033_a). */
  risk_held_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** A test trader (0066_l): its requisites serve only test twins' pay-ins, and no live trader's do. */
  test: ColumnType<boolean, boolean | undefined, never>;
  created_at: CreatedAt;
}

interface TraderKeysTable {
  id: string;
  trader_id: string;
  key_hash: Buffer;
  label: ColumnType<string, string | undefined, string>;
  created_at: CreatedAt;
  revoked_at: Nullable<Date>;
}

export interface TradingRequisitesTable {
  id: string;
  trader_id: string;
  bank_code: string;
  method: string;
  owner_name: string;
  number: Nullable<string>;
  sbp_phone: Nullable<string>;
  fiat_currency: string;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  max_open_payins: ColumnType<number, number | undefined, number>;
  daily_volume_limit_minor: NullableInt8;
  monthly_volume_limit_minor: NullableInt8;
  last_assigned_at: Nullable<Date>;
  /** Pay-ins given to it, and those of them that went to a first dispute (its dispute rate, 0033_a). */
  payins_assigned: ColumnType<number, number | undefined, number>;
  disputes_opened: ColumnType<number, number | undefined, number>;
  /** Taken out of allocation by its dispute rate until an operator releases it. */
  risk_held_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  created_at: CreatedAt;
}

export interface TradingMerchantSettingsTable {
  merchant_id: string;
  /** The default currency; always one of fiat_currencies. */
  fiat_currency: string;
  fiat_currencies: string[];
  fee_rate: ColumnType<string, string, string>;
  payment_window_seconds: ColumnType<number, number | undefined, number>;
  dispute_auto_resolve_minutes: ColumnType<number, number | undefined, number>;
  allowed_methods: Nullable<string[]>;
  allowed_banks: Nullable<string[]>;
  min_fiat_amount_minor: Int8Default;
  max_fiat_amount_minor: Int8Default;
  range_step_minor: Int8Default;
  webhook_url: Nullable<string>;
  require_request_signature: ColumnType<boolean, boolean | undefined, boolean>;
  /** The payer page's "back to the shop" link. */
  return_url: Nullable<string>;
  /** How many times a payer may dispute again after support decided "not paid". */
  payer_dispute_reopens: ColumnType<number, number | undefined, number>;
  created_at: CreatedAt;
}

export interface TradingPayinsTable {
  id: string;
  merchant_id: string;
  api_key_id: string;
  status: TradingPayinStatus;
  fiat_amount_minor: Int8;
  fiat_currency: string;
  crypto_amount_minor: Int8;
  merchant_fee_minor: Int8;
  fee_rate: string;
  currency_rate: string;
  crypto_currency: string;
  crypto_network: string;
  bank_code: string;
  method: string;
  requisite_id: string;
  trader_id: string;
  external_transaction_id: Nullable<string>;
  request_fingerprint: string;
  callback_url: Nullable<string>;
  extra: ColumnType<unknown, string, string>;
  deposit_type: Nullable<string>;
  transfer_type: Nullable<string>;
  hold_transfer_id: Nullable<string>;
  hold_state: ColumnType<string, string | undefined, string>;
  dispute_merchant_invoice_key: Nullable<string>;
  dispute_trader_invoice_key: Nullable<string>;
  dispute_merchant_fiat_minor: Int8Default;
  dispute_trader_fiat_minor: Int8Default;
  dispute_comment: Nullable<string>;
  dispute_opened_at: Nullable<Date>;
  /** When the payer said "I have paid" on the payer page (the first time); null until then. */
  payer_claimed_at: Nullable<Date>;
  expires_at: Date;
  closed_at: Nullable<Date>;
  created_at: Date;
  updated_at: Date;
}

interface TradingPayinEventsTable {
  id: Generated<string>;
  payin_id: string;
  actor: string;
  actor_id: Nullable<string>;
  from_status: Nullable<TradingPayinStatus>;
  to_status: TradingPayinStatus;
  at: Date;
  data: ColumnType<unknown, string | undefined, string>;
}

interface TradingReceiptsTable {
  invoice_key: string;
  payin_id: string;
  uploaded_by: string;
  storage_key: string;
  content_type: string;
  size_bytes: number;
  created_at: Date;
}

/**
 * A requisite's fiat volume per UTC day, kept by trigger (migration 0050_r); canceled pay-ins count nothing.
 * A day's volume is the sum of its parts: 0 what inserts added, 1 what updates and deletes changed (0080_e).
 */
interface TradingRequisiteDayVolumesTable {
  requisite_id: string;
  day: Date;
  part: Generated<number>;
  volume_minor: Int8;
}

/** A requisite's count of active pay-ins, kept by trigger in two parts (migration 0078_p); no row: none. */
interface TradingRequisiteOpenPayinsTable {
  requisite_id: string;
  part: number;
  open: number;
}

/** An operator's refund of a paid pay-in (migration 0053_c): its status machine is core/trading/refund-status.ts. */
export interface TradingPayinRefundsTable {
  id: string;
  payin_id: string;
  merchant_id: string;
  trader_id: string;
  fiat_amount_minor: Int8;
  fiat_currency: string;
  crypto_amount_minor: Int8;
  merchant_fee_minor: Int8;
  status: TradingRefundStatus;
  reason: string;
  bank_reference: Nullable<string>;
  created_by: string;
  created_at: Date;
  sent_at: Nullable<Date>;
  completed_at: Nullable<Date>;
  updated_at: Date;
}

export interface TradingTables {
  trading_banks: TradingBanksTable;
  trading_methods: TradingMethodsTable;
  traders: TradersTable;
  trader_keys: TraderKeysTable;
  trading_requisites: TradingRequisitesTable;
  trading_merchant_settings: TradingMerchantSettingsTable;
  trading_payins: TradingPayinsTable;
  trading_requisite_day_volumes: TradingRequisiteDayVolumesTable;
  trading_requisite_open_payins: TradingRequisiteOpenPayinsTable;
  trading_payin_events: TradingPayinEventsTable;
  trading_receipts: TradingReceiptsTable;
  trading_payin_refunds: TradingPayinRefundsTable;
}
