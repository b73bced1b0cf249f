// The gauges /metrics derives on scrape: queues, backlogs and stock read from the database by one
// statement (db/ops/ops-snapshot.ts), cached for SNAPSHOT_CACHE_MS so several scrapers or a scrape storm
// cost one read; the rate ages, the pool and the NOTIFY listener read from the process itself; the hot
// wallet's from the chain's node (hot-wallet-gauges.ts).
import { Gauge, type Registry } from "prom-client";
import { type OpsSnapshotRow, readOpsSnapshot } from "../../db/ops/ops-snapshot.js";
import type { Deps } from "../deps.js";
import { TRADER_DEPOSIT_ACCOUNT } from "../trading/ledger-postings.js";
import { registerChainHealthGauges } from "./chain-health.js";
import { registerHotWalletGauges } from "./hot-wallet-gauges.js";

const SNAPSHOT_CACHE_MS = 5_000;
/** A queue longer than this reads as this: the scrape stays cheap whatever the backlog. */
export const GAUGE_COUNT_CAP = 10_000;

type GaugeSet = (labels: Record<string, string>, value: number) => void;

interface GaugeSpec {
  name: string;
  help: string;
  labelNames?: string[];
  /** Sets this gauge's values from the snapshot; `now` is the scrape's time in ms. */
  from(s: OpsSnapshotRow, set: GaugeSet, now: number): void;
}

const ageSeconds = (at: string | null, now: number) => (at === null ? 0 : Math.max(0, (now - new Date(at).getTime()) / 1000));

const FROM_DATABASE: GaugeSpec[] = [
  {
    name: "rampart_jobs_due",
    help: `Jobs due now (or whose worker's lease expired), by kind; counted up to ${GAUGE_COUNT_CAP}`,
    labelNames: ["kind"],
    from: (s, set) => s.jobs_due.forEach((r) => set({ kind: r.kind }, Number(r.n))),
  },
  { name: "rampart_jobs_oldest_due_age_seconds", help: "How long the oldest due job has waited (0: none due)", from: (s, set, now) => set({}, ageSeconds(s.jobs_oldest_due, now)) },
  {
    name: "rampart_jobs_dead",
    help: `Jobs that failed for good and wait for an operator, by kind; counted up to ${GAUGE_COUNT_CAP}`,
    labelNames: ["kind"],
    from: (s, set) => s.jobs_dead.forEach((r) => set({ kind: r.kind }, Number(r.n))),
  },
  { name: "rampart_webhooks_due", help: `Webhook/IPN messages due for delivery; counted up to ${GAUGE_COUNT_CAP}`, from: (s, set) => set({}, Number(s.webhooks_due)) },
  {
    name: "rampart_webhooks_oldest_due_age_seconds",
    help: "How long the oldest due webhook/IPN message has waited (0: none due)",
    from: (s, set, now) => set({}, ageSeconds(s.webhooks_oldest_due, now)),
  },
  { name: "rampart_webhook_endpoints_disabled", help: "Webhook endpoints disabled (the receiver answered 410 Gone)", from: (s, set) => set({}, Number(s.endpoints_disabled)) },
  {
    name: "rampart_payouts_open",
    help: "Crypto payouts not yet confirmed or failed, by status (created, sent, awaiting_operator)",
    labelNames: ["status"],
    from: (s, set) => {
      for (const status of ["created", "sent", "awaiting_operator"]) set({ status }, Number(s.payouts_open.find((r) => r.status === status)?.n ?? 0));
    },
  },
  { name: "rampart_payouts_oldest_open_age_seconds", help: "Age of the oldest open payout (0: none)", from: (s, set, now) => set({}, ageSeconds(s.payouts_oldest_open, now)) },
  {
    name: "rampart_traders_low_deposit",
    help: "Enabled traders whose free deposit is below RAMPART_TRADER_LOW_DEPOSIT_MINOR",
    from: (s, set) => set({}, Number(s.traders_low_deposit)),
  },
  {
    name: "rampart_requisites_available",
    help: "Enabled requisites of enabled traders and methods, by enabled bank and its currency (0: the bank has none)",
    labelNames: ["bank", "currency"],
    from: (s, set) => s.requisites.forEach((r) => set({ bank: r.bank, currency: r.currency }, Number(r.n))),
  },
  { name: "rampart_kyc_cases_waiting", help: "KYC cases waiting for a support decision", from: (s, set) => set({}, Number(s.kyc_review)) },
  { name: "rampart_kyc_oldest_waiting_age_seconds", help: "Age of the oldest KYC case waiting for review (0: none)", from: (s, set, now) => set({}, ageSeconds(s.kyc_oldest_review, now)) },
  {
    name: "rampart_bank_transfers_unmatched",
    help: `Incoming bank transfers that matched no payment and wait for an operator; counted up to ${GAUGE_COUNT_CAP}`,
    from: (s, set) => set({}, Number(s.unmatched_transfers)),
  },
  { name: "rampart_disputes_open", help: "Trading pay-ins in dispute or under review", from: (s, set) => set({}, Number(s.disputes_open)) },
  {
    name: "rampart_disputes_past_deadline",
    help: "Disputes still open after their auto-resolve deadline (the auto-resolve job is not keeping up)",
    from: (s, set) => set({}, Number(s.disputes_overdue)),
  },
  {
    name: "rampart_ledger_verify_ok",
    help: "1 when the last `rampart ledger verify` found no drift; 0 when it found some or never ran (timestamp 0)",
    from: (s, set) => s.ledger_verify && set({}, s.ledger_verify.ok ? 1 : 0),
  },
  {
    name: "rampart_ledger_verify_timestamp_seconds",
    help: "When `rampart ledger verify` last ran (Unix time; 0: never)",
    from: (s, set) => s.ledger_verify && set({}, new Date(s.ledger_verify.at).getTime() / 1000),
  },
];

/** Registers every gauge on `registry`; the database ones share one cached snapshot. */
export function registerOpsGauges(registry: Registry, deps: Deps): void {
  let cached: { at: number; snapshot: Promise<OpsSnapshotRow> } | null = null;
  // Timed by deps.clock, like everything else: a test moves its clock past the cache.
  const snapshot = () => {
    const now = deps.clock.now().getTime();
    if (!cached || now - cached.at >= SNAPSHOT_CACHE_MS) {
      const p = readOpsSnapshot(deps.database.db, {
        now: deps.clock.now(),
        cap: GAUGE_COUNT_CAP,
        deposit: TRADER_DEPOSIT_ACCOUNT,
        lowDepositMinor: BigInt(deps.config.traderLowDepositMinor),
      });
      // A failed read is not kept: the next scrape tries again.
      p.catch(() => (cached = null));
      cached = { at: now, snapshot: p };
    }
    return cached.snapshot;
  };
  const registers = [registry];
  for (const spec of FROM_DATABASE) {
    new Gauge({
      name: spec.name,
      help: spec.help,
      labelNames: spec.labelNames ?? [],
      registers,
      async collect() {
        this.reset();
        const s = await snapshot();
        spec.from(s, (labels, value) => this.set(labels, value), deps.clock.now().getTime());
      },
    });
  }
  new Gauge({
    name: "rampart_rate_age_seconds",
    help: "Age of the rate in hand for each pair (the quote refuses one older than RAMPART_MAX_RATE_AGE_SECONDS)",
    labelNames: ["pair"],
    registers,
    collect() {
      this.reset();
      const now = deps.clock.now().getTime();
      for (const [pair, at] of deps.ports.rates.fetchedAt?.() ?? []) this.set({ pair }, Math.max(0, (now - at.getTime()) / 1000));
    },
  });
  new Gauge({
    name: "rampart_db_pool_connections",
    help: "Database connections of this process by state: in_use, or waiting (requests queued for one)",
    labelNames: ["status"],
    registers,
    collect() {
      const { inUse, waiting } = deps.database.poolStats();
      this.set({ status: "in_use" }, inUse);
      this.set({ status: "waiting" }, waiting);
    },
  });
  new Gauge({
    name: "rampart_notify_listener_connected",
    help: "1 while this process's NOTIFY session listens (or none is needed), 0 while it is lost and caches bypass",
    registers,
    collect() {
      this.set(deps.database.listenerState() === "lost" ? 0 : 1);
    },
  });
  registerHotWalletGauges(registry, deps);
  registerChainHealthGauges(registry, deps);
}
