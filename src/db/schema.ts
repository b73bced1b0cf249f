// Kysely table types. Each area keeps its tables in its own file; DB joins them.
import type { Kysely } from "kysely";
import type { BankStatementTables, RefundTables } from "./tables/bank-statements.js";
import type { BankTransferTables } from "./tables/bank-transfers.js";
import type { CardTables } from "./tables/card.js";
import type { EvmTables } from "./tables/evm.js";
import type { FoundationTables } from "./tables/foundation.js";
import type { IntentTables } from "./tables/intents.js";
import type { LedgerTables } from "./tables/ledger.js";
import type { OperatorTxTables } from "./tables/operator-tx.js";
import type { OpsTables } from "./tables/ops.js";
import type { OutboxTables } from "./tables/outbox.js";
import type { PricingTables } from "./tables/pricing.js";
import type { RiskTables } from "./tables/risk.js";
import type { SecretTables } from "./tables/secret.js";
import type { StaffTables } from "./tables/staff.js";
import type { TestModeTables } from "./tables/test-mode.js";
import type { TradingTables } from "./tables/trading.js";
import type { WithdrawalTables } from "./tables/withdrawals.js";

export interface DB
  extends FoundationTables, LedgerTables, OutboxTables, PricingTables, TradingTables, IntentTables, CardTables, BankTransferTables, BankStatementTables, RefundTables, SecretTables, OpsTables, RiskTables, EvmTables, StaffTables, WithdrawalTables, OperatorTxTables, TestModeTables {}

/** The database handle every db/ function takes: the pool or a transaction. */
export type Db = Kysely<DB>;
