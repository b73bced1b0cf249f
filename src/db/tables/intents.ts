import type { ColumnType, Generated } from "kysely";
import type { IntentStatus } from "../../core/intents/intent-status.js";
import type { PayoutStatus } from "../../core/intents/payout-status.js";
import type { KycCaseStatus, KycLevel } from "../../core/kyc/kyc-case.js";
import type { CreatedAt } from "./foundation.js";

type Int8 = ColumnType<string, string | bigint, string | bigint>;
type NullableInt8 = ColumnType<string | null, string | bigint | null | undefined, string | bigint | null>;
type Json<T> = ColumnType<T, string, string>;

export interface IntentStoreSettingsTable {
  store_id: string;
  served_countries: string[];
  payment_window_seconds: ColumnType<number, number | undefined, number>;
  kyc_window_seconds: ColumnType<number, number | undefined, number>;
  kyc_validity_days: ColumnType<number, number | undefined, number>;
  accept_amount_mismatch: ColumnType<boolean, boolean | undefined, boolean>;
  bank_iban: string;
  bank_bic: string;
  bank_beneficiary: string;
  bank_name: string;
  ipn_secret_enc: string;
  /** Copied onto an intent created without its own (migration 0049_m). */
  default_ipn_url: ColumnType<string | null, string | null | undefined, string | null>;
  default_success_url: ColumnType<string | null, string | null | undefined, string | null>;
  default_cancel_url: ColumnType<string | null, string | null | undefined, string | null>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

interface KycUsersTable {
  id: string;
  store_id: string;
  email: string;
  created_at: CreatedAt;
}

export interface KycCasesTable {
  id: string;
  user_id: string;
  level: KycLevel;
  status: KycCaseStatus;
  first_name: string | null;
  last_name: string | null;
  birth_date: string | null;
  document_type: string | null;
  document_number: string | null;
  country: string | null;
  nationality: string | null;
  /** Given with a payment intent's create (`+34`, digits); written while the case is open or has none. */
  phone_country_code: ColumnType<string | null, string | null | undefined, string | null>;
  phone_number: ColumnType<string | null, string | null | undefined, string | null>;
  files: Json<string[]>;
  reason: string | null;
  vendor_check_at: Date | null;
  decided_at: Date | null;
  expires_at: Date | null;
  created_at: ColumnType<Date, Date, never>;
  updated_at: Date;
}

interface KycCaseEventsTable {
  id: Generated<string>;
  case_id: string;
  from_status: KycCaseStatus | null;
  to_status: KycCaseStatus;
  actor: string;
  actor_id: string | null;
  reason: string | null;
  at: Date;
}

interface KycLinksTable {
  token_hash: string;
  case_id: string;
  redirect_url: string | null;
  expires_at: Date;
  used_at: Date | null;
  created_at: CreatedAt;
}

export interface PaymentIntentsTable {
  id: string;
  merchant_id: string;
  store_id: string;
  user_id: string;
  kyc_case_id: string | null;
  status: IntentStatus;
  email: string;
  country: string | null;
  ip: string;
  payment_method: string;
  fiat_currency: string;
  fiat_minor: Int8;
  fee_fiat_minor: Int8;
  crypto_symbol: string;
  network: string;
  crypto_minor: Int8;
  network_fee_minor: Int8;
  rate: string;
  rate_source: string;
  rate_fetched_at: Date;
  wallet_address: string;
  kyc_redirect_url: string | null;
  success_url: string | null;
  cancel_url: string | null;
  ipn_url: string | null;
  order_number: string | null;
  reference: string;
  paid_fiat_minor: NullableInt8;
  tx_hash: string | null;
  window_ends_at: Date | null;
  /** The store's bank details copied on entering status 4: what the instructions show (all four or none). */
  bank_iban: ColumnType<string | null, string | null | undefined, string | null>;
  bank_bic: ColumnType<string | null, string | null | undefined, string | null>;
  bank_beneficiary: ColumnType<string | null, string | null | undefined, string | null>;
  bank_name: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: ColumnType<Date, Date, never>;
  updated_at: Date;
}

interface PaymentIntentEventsTable {
  id: Generated<string>;
  intent_id: string;
  from_status: IntentStatus | null;
  to_status: IntentStatus;
  actor: string;
  at: Date;
  data: Json<Record<string, unknown>>;
}

export interface IntentPayoutsTable {
  payout_key: string;
  intent_id: string;
  network: string;
  asset: string;
  address: string;
  amount_minor: Int8;
  status: PayoutStatus;
  tx_hash: string | null;
  polls: ColumnType<number, number | undefined, number>;
  created_at: ColumnType<Date, Date, never>;
  updated_at: Date;
}

export interface IntentTables {
  intent_store_settings: IntentStoreSettingsTable;
  kyc_users: KycUsersTable;
  kyc_cases: KycCasesTable;
  kyc_case_events: KycCaseEventsTable;
  kyc_links: KycLinksTable;
  payment_intents: PaymentIntentsTable;
  payment_intent_events: PaymentIntentEventsTable;
  intent_payouts: IntentPayoutsTable;
}
