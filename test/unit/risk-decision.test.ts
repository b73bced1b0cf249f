// Every rule kind of the risk engine (src/core/risk) at its edges: fires just over its limit, not at
// it; a missing signal is "not evaluated" and never blocks alone; the score caps at 100; the
// thresholds give allow | review | block; an allow list wins over the score.
import assert from "node:assert/strict";
import { test } from "node:test";
import { decide, DEFAULT_THRESHOLDS, type RiskFacts } from "../../src/core/risk/decision.js";
import { parseCidr, cidrContains, parseRuleSpec, type RiskRule } from "../../src/core/risk/rules.js";
import type { RiskSignals } from "../../src/core/risk/signals.js";

const now = new Date("2026-12-04T12:00:00Z");
const facts = (over: Partial<RiskFacts> = {}): RiskFacts => ({ now, windows: new Map(), payer: null, ...over });
const rule = (spec: unknown, weight = 100, id = "r1"): RiskRule => ({ id, merchantId: null, name: id, weight, spec: parseRuleSpec(spec) });
const sig = (over: Partial<RiskSignals> = {}): RiskSignals => ({ flow: "trading", amountMinor: 100_000n, currency: "RUB", ...over });
const run = (r: RiskRule | RiskRule[], s: RiskSignals, f = facts()) => decide(Array.isArray(r) ? r : [r], s, f, DEFAULT_THRESHOLDS);

test("velocity count fires over its limit, not at it; a missing signal is not evaluated", () => {
  const r = rule({ kind: "velocity", signal: "userId", measure: "count", windowSeconds: 600, limit: 3 });
  assert.equal(run(r, sig({ userId: "u" }), facts({ windows: new Map([["r1", 3n]]) })).decision, "allow");
  const over = run(r, sig({ userId: "U " }), facts({ windows: new Map([["r1", 4n]]) }));
  assert.deepEqual([over.decision, over.score, over.reasons[0]!.seen], ["block", 100, { userId: "u", count: "4", limit: "3", windowSeconds: 600 }]);
  const missing = run(r, sig());
  assert.deepEqual([missing.decision, missing.score, missing.reasons[0]!.outcome, missing.reasons[0]!.seen], ["allow", 0, "not_evaluated", { missing: "userId" }]);
});

test("velocity sum counts only its currency", () => {
  const r = rule({ kind: "velocity", signal: "ip", measure: "sum", windowSeconds: 3600, limit: "500000", currency: "rub" });
  assert.equal(run(r, sig({ ip: "1.2.3.4" }), facts({ windows: new Map([["r1", 500_000n]]) })).decision, "allow");
  assert.equal(run(r, sig({ ip: "1.2.3.4" }), facts({ windows: new Map([["r1", 500_001n]]) })).decision, "block");
  assert.equal(run(r, sig({ ip: "1.2.3.4", currency: "KZT" }), facts({ windows: new Map([["r1", 900_000n]]) })).decision, "allow");
});

test("distinct userIds per fingerprint needs both signals", () => {
  const r = rule({ kind: "distinct_users_per_fingerprint", windowSeconds: 86400, limit: 5 });
  assert.equal(run(r, sig({ fingerprint: "f", userId: "u" }), facts({ windows: new Map([["r1", 5n]]) })).decision, "allow");
  assert.equal(run(r, sig({ fingerprint: "f", userId: "u" }), facts({ windows: new Map([["r1", 6n]]) })).decision, "block");
  assert.deepEqual(run(r, sig({ fingerprint: "f" })).reasons[0]!.seen, { missing: "userId" });
});

test("first deposits: FTD cap, new accounts, first N payments", () => {
  const ftd = rule({ kind: "ftd_cap", currency: "RUB", maxAmount: "100000" });
  assert.equal(run(ftd, sig({ depositType: "FTD" })).decision, "allow"); // at the cap
  assert.equal(run(ftd, sig({ depositType: "FTD", amountMinor: 100_001n })).decision, "block");
  assert.equal(run(ftd, sig({ depositType: "STD", amountMinor: 100_001n })).decision, "allow");
  assert.equal(run(ftd, sig({ amountMinor: 100_001n })).reasons[0]!.outcome, "not_evaluated");

  const fresh = rule({ kind: "new_account", hours: 24, currency: "RUB", maxAmount: "0" });
  assert.equal(run(fresh, sig({ registeredAt: new Date(now.getTime() - 23 * 3_600_000) })).decision, "block");
  assert.equal(run(fresh, sig({ registeredAt: new Date(now.getTime() - 24 * 3_600_000) })).decision, "allow");
  assert.equal(run(fresh, sig()).reasons[0]!.outcome, "not_evaluated");

  const firsts = rule({ kind: "first_payments", payments: 2, currency: "RUB", maxAmount: "50000" });
  assert.equal(run(firsts, sig({ userId: "u" }), facts({ payer: { paymentsSeen: 1, notPaidDisputes: 0 } })).decision, "block");
  assert.equal(run(firsts, sig({ userId: "u" }), facts({ payer: { paymentsSeen: 2, notPaidDisputes: 0 } })).decision, "allow");
});

test("lists: IP and CIDR (v4 and v6), e-mail domain, BIN; an allow list wins over the score", () => {
  const ips = rule({ kind: "list", signal: "ip", mode: "block", values: ["203.0.113.0/24", "2001:db8::/32", "198.51.100.7"] });
  assert.equal(run(ips, sig({ ip: "203.0.113.200" })).decision, "block");
  assert.equal(run(ips, sig({ ip: "203.0.114.1" })).decision, "allow");
  assert.equal(run(ips, sig({ ip: "2001:DB8:1::5" })).decision, "block");
  assert.equal(run(ips, sig({ ip: "::ffff:198.51.100.7" })).decision, "block");
  assert.equal(run(ips, sig({ ip: "not-an-ip" })).decision, "allow");
  assert.throws(() => parseRuleSpec({ kind: "list", signal: "ip", mode: "block", values: ["10.0.0.0/33"] }), /not an IP/);
  // Codes no payment carries would never fire (a currency) or always fire (a country): refused.
  assert.throws(() => parseRuleSpec({ kind: "ftd_cap", currency: "QQQQQ", maxAmount: "1" }), /ISO 4217 fiat currency/);
  assert.throws(() => parseRuleSpec({ kind: "ftd_cap", currency: "XXX", maxAmount: "1" }), /ISO 4217 fiat currency/);
  assert.throws(() => parseRuleSpec({ kind: "served_countries", countries: ["ES", "XX"] }), /ISO 3166 alpha-2/);
  const domains = rule({ kind: "list", signal: "emailDomain", mode: "block", values: ["Bad.Example"] });
  assert.equal(run(domains, sig({ email: "a@bad.example" })).decision, "block");
  assert.equal(run(domains, sig({ email: "a@notbad.example" })).decision, "allow");
  const bins = rule({ kind: "list", signal: "bin", mode: "block", values: ["424242"] });
  assert.equal(run(bins, sig({ cardBin: "424242" })).decision, "block");
  const allow = rule({ kind: "list", signal: "userId", mode: "allow", values: ["vip"] }, 0, "allow");
  const both = run([ips, allow], sig({ ip: "203.0.113.1", userId: "VIP" }));
  assert.deepEqual([both.decision, both.score], ["allow", 100]);
});

test("disposable e-mail, geography and payer disputes", () => {
  const disp = rule({ kind: "disposable_email" });
  assert.equal(run(disp, sig({ email: "x@mailinator.com", emailDisposable: true })).decision, "block");
  assert.equal(run(disp, sig({ email: "x@example.com", emailDisposable: false })).decision, "allow");
  assert.equal(run(disp, sig()).reasons[0]!.outcome, "not_evaluated");
  const geo = rule({ kind: "ip_country_mismatch", against: "declaredCountry" });
  assert.equal(run(geo, sig({ ipCountry: "US", declaredCountry: "es" })).decision, "block");
  assert.equal(run(geo, sig({ ipCountry: "ES", declaredCountry: "es" })).decision, "allow");
  assert.deepEqual(run(geo, sig({ declaredCountry: "ES" })).reasons[0]!.seen, { missing: "ipCountry" });
  const served = rule({ kind: "served_countries", countries: ["es", "PT"] });
  assert.equal(run(served, sig({ ipCountry: "PT" })).decision, "allow");
  assert.equal(run(served, sig({ ipCountry: "FR" })).decision, "block");
  const disputes = rule({ kind: "payer_disputes", limit: 2 });
  assert.equal(run(disputes, sig({ userId: "u" }), facts({ payer: { paymentsSeen: 9, notPaidDisputes: 2 } })).decision, "allow");
  assert.equal(run(disputes, sig({ userId: "u" }), facts({ payer: { paymentsSeen: 9, notPaidDisputes: 3 } })).decision, "block");
});

test("the score sums fired weights, caps at 100, and meets the thresholds at their value", () => {
  const a = rule({ kind: "disposable_email" }, 30, "a");
  const b = rule({ kind: "served_countries", countries: ["ES"] }, 20, "b");
  const c = rule({ kind: "ftd_cap", currency: "RUB", maxAmount: "1" }, 90, "c");
  const s = sig({ email: "x@mailinator.com", emailDisposable: true, ipCountry: "FR" });
  assert.deepEqual([run([a], s).decision, run([a, b], s).decision], ["allow", "review"]); // 30, 50
  const all = run([a, b, c], { ...s, depositType: "FTD" });
  assert.deepEqual([all.decision, all.score], ["block", 100]);
});

test("CIDR parsing", () => {
  assert.ok(cidrContains(parseCidr("0.0.0.0/0")!, parseCidr("8.8.8.8")!));
  assert.equal(parseCidr("1.2.3"), null);
  assert.equal(parseCidr("1::2::3"), null);
  assert.ok(!cidrContains(parseCidr("10.0.0.0/8")!, parseCidr("::1")!));
});
