// `rampart risk simulate`: runs the sandbox risk scenario (app/risk/simulate-scenario.ts) against the
// configured database and prints what was allowed, held for review or blocked, and which rules fired.
import type { SimulationReport } from "../app/risk/simulate-scenario.js";
import { simulateRiskScenario } from "../app/risk/simulate-scenario.js";
import { AppError } from "../core/shared/errors.js";
import type { CommandRun } from "./command.js";
import { runCliAction } from "../app/audit/cli-action.js";

const MAX_PAYERS = 2000;

/** `rampart risk` once its arguments are parsed (its spec is in commands.ts). */
export const run: CommandRun = async (values, positionals, runtime) => {
  if (positionals[0] !== "simulate" || positionals.length !== 1) return fail("Usage: rampart risk simulate [--payers n] [--seed n] (see --help)");
  const payers = intOption(values.payers, 40);
  const seed = intOption(values.seed, 1);
  if (payers === null || payers < 1 || payers > MAX_PAYERS) return fail(`--payers must be an integer from 1 to ${MAX_PAYERS}`);
  if (seed === null) return fail("--seed must be an integer");
  return runtime.withDeps(async (deps) => {
    process.stdout.write(`risk simulation: ${payers} regular payers and their attackers, seed ${seed}\n`);
    try {
      const report = await runCliAction(deps, { action: "risk.simulate", subject: "", details: { payers, seed } }, () =>
        simulateRiskScenario(deps, { goodPayers: payers, seed, onProgress: (done, total) => process.stdout.write(`sent ${done}/${total} payments\n`) }),
      );
      process.stdout.write(formatSimulation(report));
      return 0;
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      process.stderr.write(`rampart risk simulate: ${err.message}\n`);
      return 1;
    }
  });
};

function intOption(v: string | boolean | undefined, fallback: number): number | null {
  if (v === undefined) return fallback;
  return typeof v === "string" && /^\d{1,9}$/.test(v) ? Number(v) : null;
}

function fail(message: string): number {
  process.stderr.write(`${message}\n`);
  return 2;
}

const pad = (s: string | number, n: number) => String(s).padEnd(n);
const seenText = (seen: Record<string, unknown>) =>
  Object.entries(seen)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(", ");

export function formatSimulation(r: SimulationReport): string {
  const lines = [
    "",
    `merchant ${r.merchantId}: ${r.sent} payments, ${r.totals.allow} allowed, ${r.totals.review} held for review, ${r.totals.block} blocked`,
    "",
    "traffic                                                              sent  allow review block  expected",
    ...r.classes.map((c) => `${pad(c.label, 68)} ${pad(c.sent, 5)} ${pad(c.allow, 6)}${pad(c.review, 7)}${pad(c.block, 6)} ${c.expect}`),
    "",
    "rule                                                  weight  fired  not evaluated (signal missing)",
    ...r.rules.map((x) => `${pad(x.name, 54)} ${pad(x.weight, 7)} ${pad(x.fired, 6)} ${x.notEvaluated}`),
    "",
    "one payment per traffic class that a rule fired on:",
    ...r.examples.flatMap((e) => [
      `  ${e.traffic} (${e.payer}): ${e.decision}, score ${e.score}`,
      ...e.fired.map((f) => `    ${f.name}: ${seenText(f.seen)}`),
    ]),
    "",
  ];
  return lines.join("\n");
}
