// A merchant's balance per asset and its statement (GET /merchant/v1/balance and /statement, issue 19).
// The statement lists every movement of the merchant's available balance (its merchant_balance
// account: credits from payments net of fees, dispute adjustments, withdrawal holds and their returns,
// pending holds and their release) over [from, to), with the opening and closing balance. All of it
// is read from the append-only ledger entries, so opening + the movements = closing, and the closing
// balance at the present equals the balance row (`ledger verify` proves the rows match the entries).
import { AppError } from "../../core/shared/errors.js";
import { pageSize } from "../../core/shared/page-size.js";
import { balanceBefore, movedThrough, ownerBalances, type StatementCursor, type StatementLine, statementPage } from "../../db/ledger/account-statement.js";
import type { Deps } from "../deps.js";
import { ledgerAssetScale } from "../ledger/ledger-totals.js";
import { dateParam } from "../payments/payment-explorer.js";

export const MAX_STATEMENT_PAGE = 500;

const owner = (merchantId: string) => `merchant:${merchantId}`;
const balanceAccount = (merchantId: string, asset: string) => ({ owner: owner(merchantId), asset, purpose: "merchant_balance" });
const bad = (field: string, message: string) => new AppError("validation_failed", { field, message });

/** Each asset the merchant holds: what it may spend, and every account of it (purpose, posted, pending). */
export async function merchantBalances(deps: Deps, merchantId: string) {
  const rows = await ownerBalances(deps.database.db, owner(merchantId));
  const assets = [...new Set(rows.map((r) => r.asset))];
  return assets.map((asset) => {
    const accounts = rows
      .filter((r) => r.asset === asset)
      .map((r) => ({ purpose: r.purpose, posted: BigInt(r.posted), pendingDebits: BigInt(r.pending_debits), pendingCredits: BigInt(r.pending_credits) }));
    const main = accounts.find((a) => a.purpose === "merchant_balance");
    return { asset, scale: ledgerAssetScale(asset), available: main ? main.posted - main.pendingDebits : 0n, accounts };
  });
}

function encodeCursor(c: StatementCursor): string {
  return Buffer.from(JSON.stringify([c.at, c.entryId, c.stage])).toString("base64url");
}

function decodeCursor(v: string): StatementCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(v, "base64url").toString("utf8"));
  } catch {
    throw bad("cursor", "Invalid cursor");
  }
  const [at, entryId, stage] = Array.isArray(parsed) ? (parsed as unknown[]) : [];
  // A real instant only: Date.parse rolls 2026-02-31 over into March, PostgreSQL refuses it (a 500).
  const real = typeof at === "string" && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/.test(at) && !Number.isNaN(Date.parse(at)) && new Date(at).toISOString().slice(0, 19) === at.slice(0, 19);
  if (!real) throw bad("cursor", "Invalid cursor");
  if (typeof entryId !== "string" || !/^\d{1,18}$/.test(entryId) || (stage !== 0 && stage !== 1 && stage !== 2)) throw bad("cursor", "Invalid cursor");
  return { at, entryId, stage };
}

interface StatementQuery {
  asset: string;
  from?: string | undefined;
  to?: string | undefined;
  cursor?: string | undefined;
  limit?: number | undefined;
}

/**
 * The statement of one asset over [from, to) (from: the beginning when absent; to: now), one keyset page
 * of movements oldest first, each with the balance after it. Opening and closing are the whole range's.
 */
export async function merchantStatement(deps: Deps, merchantId: string, q: StatementQuery) {
  const asset = q.asset.toUpperCase();
  const scale = ledgerAssetScale(asset);
  if (scale === null) throw new AppError("unknown_currency", { field: "asset", message: `Unknown asset: ${q.asset}` });
  const from = dateParam("from", q.from);
  const to = dateParam("to", q.to) ?? deps.clock.now();
  if (from && from.getTime() >= to.getTime()) throw bad("to", "to must be after from");
  const after = q.cursor ? decodeCursor(q.cursor) : null;
  const limit = pageSize(q.limit, 100, MAX_STATEMENT_PAGE);
  const account = balanceAccount(merchantId, asset);
  const db = deps.database.db;

  const opening = from === null ? 0n : await balanceBefore(db, account, from);
  const closing = await balanceBefore(db, account, to);
  const rows = await statementPage(db, account, { from, to, after, limit: limit + 1 });
  const lines = rows.slice(0, limit);
  let running = opening + (after ? await movedThrough(db, account, from, after) : 0n);
  const items = lines.map((l: StatementLine) => {
    running += BigInt(l.amount);
    return { ...l, amount: BigInt(l.amount), balanceAfter: running };
  });
  const last = lines[lines.length - 1];
  return {
    asset,
    scale,
    from,
    to,
    openingBalance: opening,
    closingBalance: closing,
    items,
    nextCursor: rows.length > limit && last ? encodeCursor({ at: last.at, entryId: last.entry_id, stage: last.stage }) : null,
  };
}
