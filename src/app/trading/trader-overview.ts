// Traders as the operator and the trader see them: deposit balance (free / held by open pay-ins) and
// requisites with how many pay-ins are open on each; switching a requisite on or off.
import { AppError } from "../../core/shared/errors.js";
import { listRequisitesWithUsage, type RequisiteWithUsage, setRequisiteEnabled } from "../../db/trading/requisites.js";
import { findTrader, listTraders } from "../../db/trading/traders.js";
import type { Deps } from "../deps.js";
import { traderDepositBalance } from "./ledger-postings.js";
import { isUuid } from "../../core/shared/uuid.js";
import { pageSize } from "../../core/shared/page-size.js";

interface RequisiteView {
  id: string;
  bankCode: string;
  method: string;
  ownerName: string;
  number: string | null;
  sbpPhone: string | null;
  fiatCurrency: string;
  enabled: boolean;
  maxOpenPayins: number;
  /** Fiat minor units per UTC day / month; null: no limit. */
  dailyVolumeLimitMinor: bigint | null;
  monthlyVolumeLimitMinor: bigint | null;
  openPayins: number;
}

export interface TraderView {
  id: string;
  name: string;
  enabled: boolean;
  /** A test trader (issue 19): backs only test twins' pay-ins, funded from the test platform. */
  test: boolean;
  /** Micro-USDT free to back new pay-ins. */
  depositAvailable: bigint;
  /** Micro-USDT held by open pay-ins. */
  depositHeld: bigint;
  requisites: RequisiteView[];
}

const requisiteView = (r: RequisiteWithUsage): RequisiteView => ({
  id: r.id,
  bankCode: r.bank_code,
  method: r.method,
  ownerName: r.owner_name,
  number: r.number,
  sbpPhone: r.sbp_phone,
  fiatCurrency: r.fiat_currency,
  enabled: r.enabled,
  maxOpenPayins: r.max_open_payins,
  dailyVolumeLimitMinor: r.daily_volume_limit_minor === null ? null : BigInt(r.daily_volume_limit_minor),
  monthlyVolumeLimitMinor: r.monthly_volume_limit_minor === null ? null : BigInt(r.monthly_volume_limit_minor),
  openPayins: Number(r.open_payins),
});

async function views(deps: Deps, traders: { id: string; name: string; enabled: boolean; test: boolean }[]): Promise<TraderView[]> {
  const requisites = await listRequisitesWithUsage(
    deps.database.db,
    traders.map((t) => t.id),
  );
  return Promise.all(
    traders.map(async (t) => {
      const b = await traderDepositBalance(deps, t.id);
      return {
        id: t.id,
        name: t.name,
        enabled: t.enabled,
        test: t.test,
        depositAvailable: b.available,
        depositHeld: b.pendingDebits,
        requisites: requisites.filter((r) => r.trader_id === t.id).map(requisiteView),
      };
    }),
  );
}

/** The first `limit` traders (≤ 100), oldest first. */
export async function tradersOverview(deps: Deps, limit?: number): Promise<TraderView[]> {
  return views(deps, await listTraders(deps.database.db, pageSize(limit, 100, 100)));
}

export async function traderOverview(deps: Deps, traderId: string): Promise<TraderView> {
  const t = await findTrader(deps.database.db, traderId);
  if (!t) throw new AppError("not_found", { message: "Trader not found" });
  return (await views(deps, [t]))[0]!;
}

/**
 * A disabled requisite gets no new pay-ins; the ones already open on it run to the end as usual.
 * With `traderId` only that trader's requisite can be switched (another's is 404).
 */
export async function switchRequisite(deps: Deps, a: { requisiteId: string; enabled: boolean; traderId?: string }): Promise<void> {
  // In a transaction, as every operator write: its audit entry commits with it (db/audit/audit-scope.ts).
  const set = { id: a.requisiteId, enabled: a.enabled, ...(a.traderId ? { traderId: a.traderId } : {}) };
  const found = isUuid(a.requisiteId) && (await deps.database.db.transaction().execute((trx) => setRequisiteEnabled(trx, set)));
  if (!found) throw new AppError("not_found", { message: "Requisite not found" });
}
