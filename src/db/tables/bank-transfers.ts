// Incoming bank transfers of every flow (migration 0012; the operator's resolution 0022_a). int8 columns arrive as strings.
import type { ColumnType } from "kysely";
import type { BankTransferOutcome } from "../../core/bank-transfers/outcome.js";
import type { BankTransferResolution } from "../../core/bank-transfers/unmatched-transfer-status.js";
import type { CreatedAt } from "./foundation.js";

type Nullable<T> = ColumnType<T | null, T | null | undefined, T | null>;

export interface BankTransfersTable {
  id: string;
  external_id: string;
  feed: string;
  amount_minor: ColumnType<string, bigint | string, bigint | string>;
  currency: string;
  requisite_id: Nullable<string>;
  reference: Nullable<string>;
  payer_name: Nullable<string>;
  payer_iban: Nullable<string>;
  received_at: Date;
  outcome: BankTransferOutcome;
  reason: Nullable<string>;
  trading_payin_id: Nullable<string>;
  intent_id: Nullable<string>;
  created_at: CreatedAt;
  resolution: Nullable<BankTransferResolution>;
  resolved_by: Nullable<string>;
  resolved_at: Nullable<Date>;
}

export interface BankTransferTables {
  bank_transfers: BankTransfersTable;
}
