// `rampart ledger verify` and the test harness: proves the balance rows are exactly what the
// append-only entries say, that every transfer balances, and that every asset sums to zero.
import { assetTotals, balanceDrift, ledgerCounts, unbalancedTransfers } from "../../db/ledger/ledger-audit.js";
import { recordOpsCheck } from "../../db/ops/ops-snapshot.js";
import type { Db } from "../../db/schema.js";
import type { Deps } from "../deps.js";

interface AssetSummary {
  asset: string;
  accounts: number;
  posted: bigint;
  pendingDebits: bigint;
  pendingCredits: bigint;
}

interface LedgerReport {
  ok: boolean;
  transfers: number;
  entries: number;
  accounts: number;
  assets: AssetSummary[];
  /** One line per drift found (each kind capped at 100). */
  problems: string[];
}

export async function verifyLedger(db: Db): Promise<LedgerReport> {
  const problems: string[] = [];
  for (const t of await unbalancedTransfers(db)) {
    problems.push(
      t.asset === null
        ? `transfer ${t.transfer_id} has no entries`
        : `transfer ${t.transfer_id} does not balance in ${t.asset}: entries sum to ${t.total} over ${t.entries} entries`,
    );
  }
  for (const a of await balanceDrift(db)) {
    const name = `account ${a.account_id} (${a.owner} ${a.asset} ${a.purpose})`;
    if (a.posted === null) {
      problems.push(`${name} has no balance row`);
      continue;
    }
    const pairs: [string, string, string][] = [
      ["posted", a.posted, a.expected_posted],
      ["pending debits", a.pending_debits!, a.expected_pending_debits],
      ["pending credits", a.pending_credits!, a.expected_pending_credits],
    ];
    for (const [what, has, want] of pairs) if (has !== want) problems.push(`${name}: ${what} ${has} but entries say ${want}`);
    if (a.no_negative && BigInt(a.posted) - BigInt(a.pending_debits!) < 0n) problems.push(`${name}: no-negative account is below zero`);
  }
  const assets = (await assetTotals(db)).map((r) => ({
    asset: r.asset,
    accounts: Number(r.accounts),
    posted: BigInt(r.posted),
    pendingDebits: BigInt(r.pending_debits),
    pendingCredits: BigInt(r.pending_credits),
  }));
  for (const a of assets) {
    if (a.posted !== 0n) problems.push(`asset ${a.asset}: posted balances sum to ${a.posted}, not zero`);
    if (a.pendingDebits !== a.pendingCredits) problems.push(`asset ${a.asset}: pending debits ${a.pendingDebits} ≠ pending credits ${a.pendingCredits}`);
  }
  return { ok: problems.length === 0, ...(await ledgerCounts(db)), assets, problems };
}

export function formatLedgerReport(r: LedgerReport): string {
  const lines = [`ledger: ${r.transfers} transfers, ${r.entries} entries, ${r.accounts} accounts`];
  for (const a of r.assets) {
    lines.push(`  ${a.asset}: ${a.accounts} accounts, posted sum ${a.posted}, pending debits ${a.pendingDebits}, pending credits ${a.pendingCredits}`);
  }
  if (r.ok) lines.push("OK: every transfer balances, every balance matches its entries, every asset sums to zero");
  else lines.push(`DRIFT: ${r.problems.length} problem(s)`, ...r.problems.map((p) => `  - ${p}`));
  return lines.join("\n");
}

/** The operator's `ledger verify`: runs the checks and records the outcome for /metrics (rampart_ledger_verify_*). */
export async function verifyLedgerAndRecord(deps: Deps): Promise<LedgerReport> {
  const report = await verifyLedger(deps.database.db);
  await recordOpsCheck(deps.database.db, { name: "ledger_verify", ok: report.ok, summary: formatLedgerReport(report).slice(0, 4000), at: deps.clock.now() });
  return report;
}
