// The console overview's figures over a chosen range of UTC days: per day and flow, payments created and
// paid; per currency, the fiat paid per day; per flow, conversion (created → paid) and the median time
// to pay; and the levels an operator watches now (open disputes, KYC queue, webhooks failing, the hot
// wallet, traders' free deposits). Amounts stay bigint; the chart code converts them only to draw.
import { fiatScale } from "../../core/money/currencies.js";
import { AppError } from "../../core/shared/errors.js";
import { overviewActivity } from "../../db/payments/payment-overview.js";
import type { PaymentDialect } from "../../db/payments/payment-search.js";
import { readOpsSnapshot } from "../../db/ops/ops-snapshot.js";
import type { Deps } from "../deps.js";
import { GAUGE_COUNT_CAP } from "../ops/ops-gauges.js";
import type { HotWalletBalance } from "../ports.js";
import { TRADING_FIAT_SCALE } from "../trading/amounts.js";
import { TRADER_DEPOSIT_ACCOUNT } from "../trading/ledger-postings.js";
import { tradersOverview } from "../trading/trader-overview.js";

export const OVERVIEW_RANGES = [7, 30, 90] as const;
type OverviewRange = (typeof OVERVIEW_RANGES)[number];
const DIALECTS: PaymentDialect[] = ["trading", "intent", "card"];
/** The overview draws the traders with the least free deposit first, this many. */
const TRADERS_SHOWN = 20;
const DAY_MS = 86_400_000;

interface FlowSummary {
  dialect: PaymentDialect;
  created: number;
  paid: number;
  medianSecondsToPay: number | null;
}

/** The activity part, which the merchant portal shows for one merchant. */
export interface PaymentActivity {
  range: OverviewRange;
  days: string[]; // YYYY-MM-DD, oldest first, ending today (UTC)
  /** Per flow, payments created and paid on each day of `days`. */
  daily: Record<PaymentDialect, { created: number[]; paid: number[] }>;
  /** Per fiat currency and flow, what was paid per day of `days` (minor units at `scale`). */
  volume: { currency: string; scale: number; byFlow: Record<PaymentDialect, bigint[]> }[];
  flows: FlowSummary[];
}

export interface PaymentOverview extends PaymentActivity {
  now: { disputesOpen: number; disputesOverdue: number; kycWaiting: number; webhooksDue: number; jobsDead: number };
  /** null: the chain has no hot wallet (sandbox, manual); "unreachable": its node did not answer. */
  hotWallet: HotWalletBalance[] | null | "unreachable";
  traders: { id: string; name: string; free: bigint; held: bigint }[];
}

/** Parses the page's `range` parameter (days); absent means 30. */
export function overviewRange(raw: string | undefined): OverviewRange {
  if (raw === undefined || raw === "") return 30;
  const n = Number(raw);
  if (!(OVERVIEW_RANGES as readonly number[]).includes(n)) {
    throw new AppError("validation_failed", { field: "range", message: `range must be one of ${OVERVIEW_RANGES.join(", ")} (days)` });
  }
  return n as OverviewRange;
}

/**
 * Trading amounts are at scale 2 whatever the currency; intents and cards use the currency's own. A
 * currency's volume is kept at the larger of the two, so every flow's amount is scaled up, exactly.
 */
const volumeScale = (currency: string) => Math.max(fiatScale(currency), TRADING_FIAT_SCALE);
const rescale = (minor: bigint, from: number, to: number) => minor * 10n ** BigInt(to - from);

/** The payments created per day over the range, of every merchant or of `merchantId` only. */
export async function paymentActivity(deps: Deps, range: OverviewRange, merchantId: string | null): Promise<PaymentActivity> {
  const now = deps.clock.now();
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const from = new Date(today - (range - 1) * DAY_MS);
  const to = new Date(today + DAY_MS);
  const days = Array.from({ length: range }, (_, i) => new Date(from.getTime() + i * DAY_MS).toISOString().slice(0, 10));
  const dayIndex = new Map(days.map((d, i) => [d, i]));
  const db = deps.database.db;
  const { activity, timeToPay: ttp } = await overviewActivity(db, from, to, merchantId);

  const zeros = () => new Array<number>(range).fill(0);
  const daily = Object.fromEntries(DIALECTS.map((d) => [d, { created: zeros(), paid: zeros() }])) as PaymentActivity["daily"];
  const volume = new Map<string, PaymentActivity["volume"][number]>();
  const totals = new Map(DIALECTS.map((d) => [d, { created: 0, paid: 0 }]));
  for (const r of activity) {
    const i = dayIndex.get(r.day);
    if (i === undefined) continue;
    daily[r.dialect].created[i]! += Number(r.created);
    daily[r.dialect].paid[i]! += Number(r.paid);
    totals.get(r.dialect)!.created += Number(r.created);
    totals.get(r.dialect)!.paid += Number(r.paid);
    if (r.paid === "0") continue;
    const scale = volumeScale(r.currency);
    let v = volume.get(r.currency);
    if (!v) {
      v = { currency: r.currency, scale, byFlow: Object.fromEntries(DIALECTS.map((d) => [d, new Array<bigint>(range).fill(0n)])) as Record<PaymentDialect, bigint[]> };
      volume.set(r.currency, v);
    }
    const paid = rescale(BigInt(r.paid_minor), r.dialect === "trading" ? TRADING_FIAT_SCALE : fiatScale(r.currency), scale);
    v.byFlow[r.dialect][i]! += paid;
  }
  const median = new Map(ttp.map((r) => [r.dialect, r.median_seconds]));
  return {
    range,
    days,
    daily,
    volume: [...volume.values()].sort((a, b) => a.currency.localeCompare(b.currency)),
    flows: DIALECTS.map((d) => ({ dialect: d, ...totals.get(d)!, medianSecondsToPay: median.get(d) ?? null })),
  };
}

/** The console's overview: the activity of every merchant and the levels an operator watches now. */
export async function paymentOverview(deps: Deps, range: OverviewRange): Promise<PaymentOverview> {
  const now = deps.clock.now();
  const [activity, snapshot, traders, hotWallet] = await Promise.all([
    paymentActivity(deps, range, null),
    readOpsSnapshot(deps.database.db, { now, cap: GAUGE_COUNT_CAP, deposit: TRADER_DEPOSIT_ACCOUNT, lowDepositMinor: BigInt(deps.config.traderLowDepositMinor) }),
    tradersOverview(deps),
    hotWalletLevels(deps),
  ]);
  return {
    ...activity,
    now: {
      disputesOpen: Number(snapshot.disputes_open),
      disputesOverdue: Number(snapshot.disputes_overdue),
      kycWaiting: Number(snapshot.kyc_review),
      webhooksDue: Number(snapshot.webhooks_due),
      jobsDead: snapshot.jobs_dead.reduce((n, r) => n + Number(r.n), 0),
    },
    hotWallet,
    traders: traders
      .filter((t) => t.enabled && !t.test)
      .map((t) => ({ id: t.id, name: t.name, free: t.depositAvailable, held: t.depositHeld }))
      .sort((a, b) => (a.free < b.free ? -1 : a.free > b.free ? 1 : 0))
      .slice(0, TRADERS_SHOWN),
  };
}

async function hotWalletLevels(deps: Deps): Promise<PaymentOverview["hotWallet"]> {
  const chain = deps.ports.chain;
  if (!chain.hotWalletBalances) return null;
  try {
    return await chain.hotWalletBalances();
  } catch {
    return "unreachable"; // the metrics gauge logs it; the page says so
  }
}
