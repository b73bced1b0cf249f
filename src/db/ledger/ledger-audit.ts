// Read-only consistency queries over the whole ledger, for `rampart ledger verify`. Each problem list
// is capped; the totals are not.
import { sql } from "kysely";
import type { Db } from "../schema.js";

const CAP = 100;

interface UnbalancedTransferRow {
  transfer_id: string;
  asset: string | null;
  total: string;
  entries: string;
}

/** Transfers whose entries do not sum to zero in some asset, or that have no entries at all. */
export async function unbalancedTransfers(db: Db): Promise<UnbalancedTransferRow[]> {
  const r = await sql<UnbalancedTransferRow>`
    SELECT t.id AS transfer_id, e.asset, coalesce(sum(e.amount), 0)::text AS total, count(e.id)::text AS entries
    FROM ledger_transfers t LEFT JOIN ledger_entries e ON e.transfer_id = t.id
    GROUP BY t.id, e.asset
    HAVING coalesce(sum(e.amount), 0) <> 0 OR count(e.id) < 2
    ORDER BY t.id LIMIT ${CAP}`.execute(db);
  return r.rows;
}

interface BalanceDriftRow {
  account_id: string;
  owner: string;
  asset: string;
  purpose: string;
  no_negative: boolean;
  /** null when the account has no balance row. */
  posted: string | null;
  pending_debits: string | null;
  pending_credits: string | null;
  expected_posted: string;
  expected_pending_debits: string;
  expected_pending_credits: string;
}

/**
 * Accounts whose balance row differs from the sum of their entries (posted: plain transfers and
 * posted holds; pending: unresolved holds), or that a no-negative flag forbids being below zero.
 */
export async function balanceDrift(db: Db): Promise<BalanceDriftRow[]> {
  const r = await sql<BalanceDriftRow>`
    WITH expected AS (
      SELECT e.account_id,
        sum(CASE WHEN NOT t.pending OR r.kind = 'posted' THEN e.amount ELSE 0 END) AS posted,
        sum(CASE WHEN t.pending AND r.kind IS NULL AND e.amount < 0 THEN -e.amount ELSE 0 END) AS pending_debits,
        sum(CASE WHEN t.pending AND r.kind IS NULL AND e.amount > 0 THEN e.amount ELSE 0 END) AS pending_credits
      FROM ledger_entries e
      JOIN ledger_transfers t ON t.id = e.transfer_id
      LEFT JOIN ledger_transfer_resolutions r ON r.transfer_id = t.id
      GROUP BY e.account_id
    ), joined AS (
      SELECT a.id AS account_id, a.owner, a.asset, a.purpose, a.no_negative,
        b.posted, b.pending_debits, b.pending_credits,
        coalesce(x.posted, 0) AS expected_posted,
        coalesce(x.pending_debits, 0) AS expected_pending_debits,
        coalesce(x.pending_credits, 0) AS expected_pending_credits
      FROM ledger_accounts a
      LEFT JOIN ledger_account_balances b ON b.account_id = a.id
      LEFT JOIN expected x ON x.account_id = a.id
    )
    SELECT account_id::text, owner, asset, purpose, no_negative,
      posted::text, pending_debits::text, pending_credits::text,
      expected_posted::text, expected_pending_debits::text, expected_pending_credits::text
    FROM joined
    WHERE posted IS NULL
      OR posted <> expected_posted
      OR pending_debits <> expected_pending_debits
      OR pending_credits <> expected_pending_credits
      OR (no_negative AND posted - pending_debits < 0)
    ORDER BY account_id LIMIT ${CAP}`.execute(db);
  return r.rows;
}

interface AssetTotalRow {
  asset: string;
  accounts: string;
  posted: string;
  pending_debits: string;
  pending_credits: string;
}

/** Sums of all balance rows per asset: posted must be zero, pending debits must equal pending credits. */
export async function assetTotals(db: Db): Promise<AssetTotalRow[]> {
  const r = await sql<AssetTotalRow>`
    SELECT a.asset, count(*)::text AS accounts,
      coalesce(sum(b.posted), 0)::text AS posted,
      coalesce(sum(b.pending_debits), 0)::text AS pending_debits,
      coalesce(sum(b.pending_credits), 0)::text AS pending_credits
    FROM ledger_accounts a JOIN ledger_account_balances b ON b.account_id = a.id
    GROUP BY a.asset ORDER BY a.asset`.execute(db);
  return r.rows;
}

export async function ledgerCounts(db: Db): Promise<{ transfers: number; entries: number; accounts: number }> {
  const r = await sql<{ transfers: string; entries: string; accounts: string }>`
    SELECT (SELECT count(*) FROM ledger_transfers)::text AS transfers,
           (SELECT count(*) FROM ledger_entries)::text AS entries,
           (SELECT count(*) FROM ledger_accounts)::text AS accounts`.execute(db);
  const row = r.rows[0]!;
  return { transfers: Number(row.transfers), entries: Number(row.entries), accounts: Number(row.accounts) };
}

interface PurposeTotalRow {
  asset: string;
  purpose: string;
  accounts: string;
  posted: string;
  pending_debits: string;
  pending_credits: string;
}

/** Sums of balance rows per asset and account purpose (what the operator's money page draws). */
export async function purposeTotals(db: Db): Promise<PurposeTotalRow[]> {
  const r = await sql<PurposeTotalRow>`
    SELECT a.asset, a.purpose, count(*)::text AS accounts,
      coalesce(sum(b.posted), 0)::text AS posted,
      coalesce(sum(b.pending_debits), 0)::text AS pending_debits,
      coalesce(sum(b.pending_credits), 0)::text AS pending_credits
    FROM ledger_accounts a JOIN ledger_account_balances b ON b.account_id = a.id
    GROUP BY a.asset, a.purpose ORDER BY a.asset, a.purpose`.execute(db);
  return r.rows;
}
