// The sandbox risk scenario (`rampart risk simulate`, docs/risk.md "The rules at work"): a fresh
// merchant gets the scenario's rules through the same use case as the operator API, then good and bad
// payers (simulation-traffic.ts) create trading pay-ins and payment intents through the dialects' own
// create use cases. The report says, per traffic class and per rule, what was allowed, held or
// blocked and why. Sandbox only: it writes merchants, a trader and payments.
import { AppError } from "../../core/shared/errors.js";
import { findDecision, findDecisionByPaymentId, type RiskDecisionRow } from "../../db/risk/decisions.js";
import { findTrader, upsertBank } from "../../db/trading/traders.js";
import type { Deps } from "../deps.js";
import { createIntent } from "../intents/create-intent.js";
import { createStore } from "../intents/stores.js";
import { createMerchant } from "../merchants/merchants.js";
import { seedSandbox } from "../sandbox/seed.js";
import { createTradingPayin } from "../trading/create-payin.js";
import { fundTraderDeposit } from "../trading/ledger-postings.js";
import { saveTradingSettings } from "../trading/settings-admin.js";
import { createRequisite, createTrader } from "../trading/traders.js";
import { createRiskRule } from "./manage-rules.js";
import { SIMULATION_RULES, type SimulatedPayment, simulationTraffic, TRAFFIC_CLASSES, type TrafficClass } from "./simulation-traffic.js";

type Decision = RiskDecisionRow["decision"];

interface RuleTally {
  name: string;
  kind: string;
  weight: number;
  fired: number;
  notEvaluated: number;
}

interface ClassTally {
  traffic: TrafficClass;
  label: string;
  expect: string;
  sent: number;
  allow: number;
  review: number;
  block: number;
}

interface Example {
  traffic: TrafficClass;
  payer: string;
  decision: Decision;
  score: number;
  fired: { name: string; seen: Record<string, unknown> }[];
}

export interface SimulationReport {
  merchantId: string;
  seed: number;
  sent: number;
  totals: Record<Decision, number>;
  classes: ClassTally[];
  rules: RuleTally[];
  /** The first payment of each class that a rule fired on. */
  examples: Example[];
}

/** A bank only the simulation's trader serves, so the scenario never takes the sandbox traders' slots. */
const SIM_BANK = { code: "RISKSIM", name: "Risk simulation bank", methods: ["card"], fiatCurrency: "RUB" };
const SIM_TRADER_ID = "trd_risk_simulation";
const SIM_REQUISITES = 4;
const TRC20_WALLET = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";

/** The simulation's trader and requisites, created on the first run and reused by later ones. */
async function ensureSimulationTrader(deps: Deps): Promise<void> {
  await upsertBank(deps.database.db, SIM_BANK);
  if (await findTrader(deps.database.db, SIM_TRADER_ID)) return;
  await createTrader(deps, "Risk simulation trader", undefined, SIM_TRADER_ID);
  for (let i = 0; i < SIM_REQUISITES; i++) {
    await createRequisite(deps, { traderId: SIM_TRADER_ID, bank: SIM_BANK.code, method: "card", ownerName: `Simulation ${i + 1}`, number: `220099000000000${i}`, maxOpenPayins: 100_000 });
  }
  // 1,000,000,000 USDT: every run's holds fit.
  await fundTraderDeposit(deps, SIM_TRADER_ID, 10n ** 15n, "risk-simulation:fund");
}

async function setUp(deps: Deps, seed: number) {
  // The pairs, rates and banks of the sandbox (idempotent), then a merchant of this run's own.
  await seedSandbox(deps);
  await ensureSimulationTrader(deps);
  const merchant = await createMerchant(deps, { name: `Risk simulation ${deps.clock.now().toISOString()} seed ${seed}` });
  await saveTradingSettings(deps, merchant.merchantId, { fiatCurrency: "RUB", feeRate: "0.085", allowedBanks: [SIM_BANK.code] });
  const store = await createStore(deps, merchant.merchantId, {
    name: "Risk simulation store",
    intentSettings: {
      servedCountries: ["ES", "PT", "DE", "FR", "IT", "NL"],
      bank: { iban: "ES9121000418450200051332", bic: "CAIXESBBXXX", beneficiary: "Rampart Sandbox S.L.", bankName: "Sandbox Bank" },
      paymentWindowSeconds: 3600,
      kycWindowSeconds: 86_400,
      kycValidityDays: 365,
      acceptAmountMismatch: false,
    },
  });
  for (const rule of SIMULATION_RULES) await createRiskRule(deps, { merchantId: merchant.merchantId }, rule);
  return { merchantId: merchant.merchantId, apiKeyId: merchant.apiKeyId, storeId: store.storeId };
}

/** Sends one payment; its stored decision (none: no rule applied, which this scenario never has). */
async function send(deps: Deps, ctx: Awaited<ReturnType<typeof setUp>>, p: SimulatedPayment): Promise<RiskDecisionRow | undefined> {
  try {
    if (p.flow === "trading") {
      const amountMinor = BigInt(p.amountRub) * 100n;
      const body = { fiatAmountRange: { min: p.amountRub - 100, max: p.amountRub }, bank: SIM_BANK.code, depositType: p.depositType, extra: { payerInfo: p.payerInfo } };
      const { payin } = await createTradingPayin(deps, {
        merchantId: ctx.merchantId,
        apiKeyId: ctx.apiKeyId,
        amount: { kind: "range", minMinor: amountMinor - 10_000n, maxMinor: amountMinor },
        fiatCurrency: "RUB",
        method: null,
        bank: SIM_BANK.code,
        callbackUrl: null,
        depositType: p.depositType,
        transferType: null,
        extra: { payerInfo: p.payerInfo },
        body,
      });
      return findDecisionByPaymentId(deps.database.db, payin.id);
    }
    const intent = await createIntent(deps, ctx.merchantId, {
      email: p.email,
      currencyIsoCode: "EUR",
      cryptoSymbol: "USDT",
      network: "trc20",
      walletAddress: TRC20_WALLET,
      ip: p.ip,
      storeId: ctx.storeId,
      fiatAmount: p.amountEur,
      countryIsoCode: p.country,
    });
    return findDecisionByPaymentId(deps.database.db, intent.paymentIntentId);
  } catch (err) {
    const id = err instanceof AppError && err.code === "risk_blocked" ? (err.details?.riskDecisionId as string | undefined) : undefined;
    if (!id) throw err;
    return findDecision(deps.database.db, id);
  }
}

interface StoredReason {
  name: string;
  kind: string;
  outcome: "fired" | "not_evaluated";
  seen: Record<string, unknown>;
}

export async function simulateRiskScenario(deps: Deps, opts: { goodPayers: number; seed: number; onProgress?: (done: number, total: number) => void }): Promise<SimulationReport> {
  if (deps.config.mode !== "sandbox") throw new AppError("forbidden", { message: "The risk simulation runs in sandbox mode only: it creates merchants and payments." });
  const ctx = await setUp(deps, opts.seed);
  const traffic = simulationTraffic({ goodPayers: opts.goodPayers, seed: opts.seed, now: deps.clock.now() });
  const classes = new Map<TrafficClass, ClassTally>();
  for (const [traffic, c] of Object.entries(TRAFFIC_CLASSES) as [TrafficClass, (typeof TRAFFIC_CLASSES)[TrafficClass]][]) {
    classes.set(traffic, { traffic, label: c.label, expect: c.expect, sent: 0, allow: 0, review: 0, block: 0 });
  }
  const rules = new Map<string, RuleTally>(SIMULATION_RULES.map((r) => [r.name, { name: r.name, kind: r.spec.kind, weight: r.weight, fired: 0, notEvaluated: 0 }]));
  const totals: Record<Decision, number> = { allow: 0, review: 0, block: 0 };
  const examples: Example[] = [];
  const step = Math.max(1, Math.ceil(traffic.length / 10));
  for (const [i, p] of traffic.entries()) {
    const d = await send(deps, ctx, p);
    if (!d) throw new Error(`no risk decision stored for ${p.payer}`);
    const tally = classes.get(p.traffic)!;
    tally.sent++;
    tally[d.decision]++;
    totals[d.decision]++;
    const reasons = d.reasons as StoredReason[];
    for (const r of reasons) {
      const t = rules.get(r.name);
      if (t) t[r.outcome === "fired" ? "fired" : "notEvaluated"]++;
    }
    const fired = reasons.filter((r) => r.outcome === "fired").map((r) => ({ name: r.name, seen: r.seen }));
    if (fired.length > 0 && !examples.some((e) => e.traffic === p.traffic)) examples.push({ traffic: p.traffic, payer: p.payer, decision: d.decision, score: d.score, fired });
    if ((i + 1) % step === 0 || i + 1 === traffic.length) opts.onProgress?.(i + 1, traffic.length);
  }
  return { merchantId: ctx.merchantId, seed: opts.seed, sent: traffic.length, totals, classes: [...classes.values()], rules: [...rules.values()], examples };
}
