// The sandbox risk scenario's data (issue 17, docs/risk.md "The rules at work"): the rules a fresh
// simulation merchant gets, and the payers it sends, good and bad. Each traffic class says what the
// rules should decide for it, so the run (simulate-scenario.ts) and its test can check the outcome.
// Deterministic for a given seed: the same seed sends the same payments.

/** The simulation merchant's rules, in the operator API's create body shape. */
export const SIMULATION_RULES = [
  { name: "More than 3 pay-ins per payer in 10 minutes", weight: 80, spec: { kind: "velocity", signal: "userId", measure: "count", windowSeconds: 600, limit: 3 } },
  { name: "More than 3 payers on one device in a day", weight: 50, spec: { kind: "distinct_users_per_fingerprint", windowSeconds: 86_400, limit: 3 } },
  { name: "Disposable e-mail domain", weight: 50, spec: { kind: "disposable_email" } },
  { name: "First deposit over 50,000 RUB", weight: 50, spec: { kind: "ftd_cap", currency: "RUB", maxAmount: "5000000" } },
  { name: "Account younger than 24 h paying over 10,000 RUB", weight: 40, spec: { kind: "new_account", hours: 24, currency: "RUB", maxAmount: "1000000" } },
  { name: "IP country differs from the declared country", weight: 50, spec: { kind: "ip_country_mismatch", against: "declaredCountry" } },
  { name: "Blocked network", weight: 100, spec: { kind: "list", signal: "ip", mode: "block", values: ["185.220.101.0/24"] } },
] as const;

export type TrafficClass = "good" | "burst" | "shared_device" | "disposable_email" | "new_account_ftd" | "ftd_over_cap" | "country_mismatch" | "blocked_network";

/** What each class is, and what the rules above should make of it (the test asserts these). */
export const TRAFFIC_CLASSES: Record<TrafficClass, { label: string; expect: string }> = {
  good: { label: "regular payers (own device, home IP, 1-2 pay-ins)", expect: "all allowed" },
  burst: { label: "one payer sending 6 pay-ins in a minute", expect: "first 3 allowed, the rest blocked" },
  shared_device: { label: "6 payers on one device", expect: "first 3 allowed, the rest held for review" },
  disposable_email: { label: "payers with a disposable e-mail", expect: "held for review" },
  new_account_ftd: { label: "account registered an hour ago, first deposit of 80,000 RUB", expect: "blocked (FTD cap + new account)" },
  ftd_over_cap: { label: "old account, first deposit of 70,000 RUB", expect: "held for review" },
  country_mismatch: { label: "intent declaring ES from a Nigerian or Brazilian IP", expect: "held for review" },
  blocked_network: { label: "payers from a blocked network", expect: "blocked" },
};

interface TradingPayment {
  flow: "trading";
  amountRub: number;
  depositType: "FTD" | "STD";
  payerInfo: { userId: string; fingerprint: string; ip: string; email: string; userAgent: string; registeredAt: number };
}

interface IntentPayment {
  flow: "intent";
  amountEur: number;
  email: string;
  ip: string;
  country: string;
}

export type SimulatedPayment = { traffic: TrafficClass; payer: string } & (TradingPayment | IntentPayment);

/** mulberry32: a small seeded generator, so a run can be repeated exactly. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

// Addresses the offline database places in these countries (geoip-country).
const RU_NETS = ["77.88.55", "95.108.213", "5.255.255", "213.180.204"];
const ES_NETS = ["88.26.241", "80.58.61", "2.136.1"];
const ELSEWHERE_NETS = ["41.58.1", "177.10.1"]; // NG, BR
const MAIL = ["mail.ru", "yandex.ru", "gmail.com", "bk.ru"];
const DISPOSABLE = ["mailinator.com", "yopmail.com", "guerrillamail.com"];
const AGENTS = [
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
  "Mozilla/5.0 (Linux; Android 14; SM-A546B) AppleWebKit/537.36 Chrome/124.0 Mobile Safari/537.36",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36",
];
const DAY_MS = 86_400_000;

/**
 * The scenario's payments in the order they are sent: `goodPayers` regular payers interleaved with
 * the attacks (one of each per 20 good payers, at least one). `now` dates the payers' registrations.
 */
export function simulationTraffic(opts: { goodPayers: number; seed: number; now: Date }): SimulatedPayment[] {
  const rnd = random(opts.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const int = (min: number, max: number) => min + Math.floor(rnd() * (max - min + 1));
  const ip = (nets: readonly string[]) => `${pick(nets)}.${int(2, 250)}`;
  const now = opts.now.getTime();
  const run = `${opts.seed}-${now.toString(36)}`;
  const trading = (traffic: TrafficClass, n: string, p: Partial<TradingPayment["payerInfo"]> & { amountRub?: number; depositType?: "FTD" | "STD" }): SimulatedPayment => ({
    traffic,
    payer: n,
    flow: "trading",
    amountRub: p.amountRub ?? int(10, 200) * 100,
    depositType: p.depositType ?? "STD",
    payerInfo: {
      userId: `${n}-${run}`,
      fingerprint: p.fingerprint ?? `fp-${n}-${run}`,
      ip: p.ip ?? ip(RU_NETS),
      email: p.email ?? `${n}@${pick(MAIL)}`,
      userAgent: pick(AGENTS),
      registeredAt: p.registeredAt ?? now - int(30, 400) * DAY_MS,
    },
  });

  const good: SimulatedPayment[] = [];
  for (let i = 0; i < opts.goodPayers; i++) {
    const name = `payer${i + 1}`;
    if (i % 4 === 3) {
      good.push({ traffic: "good", payer: name, flow: "intent", amountEur: int(50, 500), email: `${name}.${run}@${pick(MAIL)}`, ip: ip(ES_NETS), country: "ES" });
      continue;
    }
    const fingerprint = `fp-${name}-${run}`;
    const ipAddress = ip(RU_NETS);
    const payments = int(1, 2);
    for (let k = 0; k < payments; k++) good.push(trading("good", name, { fingerprint, ip: ipAddress, depositType: k === 0 && rnd() < 0.3 ? "FTD" : "STD" }));
  }

  const attacks: SimulatedPayment[][] = [];
  const rounds = Math.max(1, Math.floor(opts.goodPayers / 20));
  for (let r = 1; r <= rounds; r++) {
    const burst = trading("burst", `burster${r}`, {});
    attacks.push(Array.from({ length: 6 }, () => ({ ...burst, amountRub: int(10, 50) * 100 })));
    const device = `fp-farm${r}-${run}`;
    attacks.push(Array.from({ length: 6 }, (_, k) => trading("shared_device", `farm${r}-user${k + 1}`, { fingerprint: device })));
    attacks.push([trading("disposable_email", `throwaway${r}`, { email: `throwaway${r}.${run}@${pick(DISPOSABLE)}` })]);
    attacks.push([trading("new_account_ftd", `fresh${r}`, { registeredAt: now - 3_600_000, depositType: "FTD", amountRub: 80_000 })]);
    attacks.push([trading("ftd_over_cap", `whale${r}`, { depositType: "FTD", amountRub: 70_000 })]);
    attacks.push([{ traffic: "country_mismatch", payer: `traveller${r}`, flow: "intent", amountEur: int(100, 900), email: `traveller${r}.${run}@${pick(MAIL)}`, ip: ip(ELSEWHERE_NETS), country: "ES" }]);
    attacks.push([trading("blocked_network", `anon${r}`, { ip: `185.220.101.${int(2, 250)}` })]);
  }

  // Attacks are spread through the good traffic, each class's payments kept in order.
  const out: SimulatedPayment[] = [];
  const every = Math.max(1, Math.floor(good.length / (attacks.length + 1)));
  for (let i = 0; i < good.length; i++) {
    out.push(good[i]!);
    if ((i + 1) % every === 0 && attacks.length > 0) out.push(...attacks.shift()!);
  }
  for (const a of attacks) out.push(...a);
  return out;
}
