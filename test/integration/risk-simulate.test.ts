// The sandbox risk scenario (issue 17): good payers and attackers through the real trading and intent
// create use cases, on the real database. Each traffic class gets the decision docs/risk.md explains:
// bursts blocked after 3, a shared device held from its 4th payer, disposable mail and a first deposit
// over the cap held, a new account's large first deposit and a blocked network refused, an IP from
// another country than the declared one held, and regular payers allowed. Then `rampart risk simulate`
// as an operator runs it: --help, progress lines and the report (on PostgreSQL, sharing the database).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { simulateRiskScenario } from "../../src/app/risk/simulate-scenario.js";
import { formatSimulation } from "../../src/cli/risk-command.js";
import { createHarness, type Harness } from "../support/harness.js";
import { runCli } from "../support/run-cli.js";
import { usePostgres } from "../support/test-db.js";
import { verifyLedgerClean } from "../support/trading.js";

const RATES = { RAMPART_RATES: "fixed", RAMPART_FIXED_RATES: "RUB/USDT=95.5,EUR/USDT=0.92" };
let h: Harness;

before(async () => {
  h = await createHarness({ env: RATES });
});
after(() => h?.close());

test("the scenario's traffic gets the decisions its rules promise", async () => {
  const progress: number[] = [];
  const r = await simulateRiskScenario(h.deps, { goodPayers: 20, seed: 7, onProgress: (done) => progress.push(done) });
  const byClass = Object.fromEntries(r.classes.map((c) => [c.traffic, [c.sent, c.allow, c.review, c.block]]));
  const good = byClass.good!;
  assert.ok(good[0]! >= 20, `good payers sent ${good[0]}`);
  assert.deepEqual(good.slice(1), [good[0], 0, 0]);
  assert.deepEqual(byClass.burst, [6, 3, 0, 3]);
  assert.deepEqual(byClass.shared_device, [6, 3, 3, 0]);
  assert.deepEqual(byClass.disposable_email, [1, 0, 1, 0]);
  assert.deepEqual(byClass.new_account_ftd, [1, 0, 0, 1]);
  assert.deepEqual(byClass.ftd_over_cap, [1, 0, 1, 0]);
  assert.deepEqual(byClass.country_mismatch, [1, 0, 1, 0]);
  assert.deepEqual(byClass.blocked_network, [1, 0, 0, 1]);
  assert.deepEqual(r.totals, { allow: good[0]! + 6, review: 6, block: 5 });
  assert.equal(progress.at(-1), r.sent);

  const fired = Object.fromEntries(r.rules.map((x) => [x.name, x.fired]));
  assert.equal(fired["More than 3 pay-ins per payer in 10 minutes"], 3);
  assert.equal(fired["More than 3 payers on one device in a day"], 3);
  assert.equal(fired["Disposable e-mail domain"], 1);
  assert.equal(fired["First deposit over 50,000 RUB"], 2);
  assert.equal(fired["Account younger than 24 h paying over 10,000 RUB"], 1);
  assert.equal(fired["IP country differs from the declared country"], 1);
  assert.equal(fired["Blocked network"], 1);
  // Trading payments carry no declared country: that rule is reported, never decisive, there.
  const mismatch = r.rules.find((x) => x.kind === "ip_country_mismatch")!;
  assert.ok(mismatch.notEvaluated > 0);
  const burst = r.examples.find((e) => e.traffic === "burst")!;
  assert.equal(burst.decision, "block");
  assert.deepEqual(burst.fired[0]!.seen, { userId: burst.fired[0]!.seen.userId, count: "4", limit: "3", windowSeconds: 600 });
  const country = r.examples.find((e) => e.traffic === "country_mismatch")!;
  assert.equal(country.fired[0]!.seen.declaredCountry, "ES");
  assert.ok(["NG", "BR"].includes(String(country.fired[0]!.seen.ipCountry)));
  await verifyLedgerClean(h.deps);
  // The command's report: one line per traffic class and per rule.
  const text = formatSimulation(r);
  assert.match(text, /one payer sending 6 pay-ins in a minute\s+6\s+3\s+0\s+3\s/);
  assert.match(text, /Blocked network\s+100\s+1\s/);
});

test("rampart risk --help needs no database; bad options are refused", async () => {
  const help = await runCli(["risk", "--help"], {});
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /Usage: rampart risk simulate \[--payers n\] \[--seed n\]/);
  assert.equal((await runCli(["risk", "simulate", "--payers", "0"], {})).code, 2);
  assert.equal((await runCli(["risk", "replay"], {})).code, 2);
});

// On PGlite the command would open an embedded database of its own and migrate and seed it first,
// minutes on the shared machine; on PostgreSQL it runs on the test's database.
test("rampart risk simulate prints progress and the report", { skip: !usePostgres() }, async () => {
  const env = { DATABASE_URL: h.testDb.url!, RAMPART_SECRET_KEY: h.deps.config.secretKey, ...RATES };
  const r = await runCli(["risk", "simulate", "--payers", "4", "--seed", "3"], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^sent \d+\/\d+ payments$/m);
  assert.match(r.stdout, /one payer sending 6 pay-ins in a minute\s+6\s+3\s+0\s+3\s/);
  assert.match(r.stdout, /Blocked network\s+100\s+1\s/);
});
