// A merchant's balance per asset and its statement (GET /merchant/v1/balance and /statement, issue 19).
// The statement lists every movement of the merchant's available balance (its merchant_balance
// account: credits from payments net of fees, dispute adjustments, withdrawal holds and their returns,
// pending holds and their release) over [from, to), with the opening and closing balance. All of it
// is read from the append-only ledger entries, so opening + the movements = closing, and the closing
// balance at the present equals the balance row (`ledger verify` proves the rows match the entries).
import { AppError } from "../../core/shared/errors.js";
import { realInstant } from "../../core/shared/instant.js";
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

/** A page's cursor: where it stopped, and the range's end, so every later page reads the same range. */
function encodeCursor(c: StatementCursor, to: Date): string {
  return Buffer.from(JSON.stringify([c.at, c.entryId, c.stage, to.toISOString()])).toString("base64url");
}

function decodeCursor(v: string): { after: StatementCursor; to: Date } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(v, "base64url").toString("utf8"));
  } catch {
    throw bad("cursor", "Invalid cursor");
  }
  const [at, entryId, stage, to] = Array.isArray(parsed) ? (parsed as unknown[]) : [];
  if (!realInstant(at, 6) || !realInstant(to, 3)) throw bad("cursor", "Invalid cursor");
  if (typeof entryId !== "string" || !/^\d{1,18}$/.test(entryId) || (stage !== 0 && stage !== 1 && stage !== 2)) throw bad("cursor", "Invalid cursor");
  return { after: { at, entryId, stage }, to: new Date(to) };
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
 * A cursor carries the range's end: the pages after the first read the same [from, to) even when `to`
 * was left to default to now (a `to` that differs from the cursor's is refused). The reads of one page
 * share one snapshot (a read-only REPEATABLE READ transaction), so a movement committed meanwhile cannot
 * land in the closing balance but not in the lines, or the other way round.
 */
export async function merchantStatement(deps: Deps, merchantId: string, q: StatementQuery) {
  const asset = q.asset.toUpperCase();
  const scale = ledgerAssetScale(asset);
  if (scale === null) throw new AppError("unknown_currency", { field: "asset", message: `Unknown asset: ${q.asset}` });
  const from = dateParam("from", q.from);
  const asked = dateParam("to", q.to);
  const cursor = q.cursor ? decodeCursor(q.cursor) : null;
  if (cursor && asked && asked.getTime() !== cursor.to.getTime()) {
    throw bad("to", `to differs from the range of the cursor, which ends at ${cursor.to.toISOString()}: leave it out, or start again without the cursor`);
  }
  const to = cursor?.to ?? asked ?? deps.clock.now();
  if (from && from.getTime() >= to.getTime()) throw bad("to", "to must be after from");
  const after = cursor?.after ?? null;
  const limit = pageSize(q.limit, 100, MAX_STATEMENT_PAGE);
  const account = balanceAccount(merchantId, asset);

  const read = await deps.database.db
    .transaction()
    .setIsolationLevel("repeatable read")
    .setAccessMode("read only")
    .execute(async (trx) => {
      const opening = from === null ? 0n : await balanceBefore(trx, account, from);
      const closing = await balanceBefore(trx, account, to);
      const rows = await statementPage(trx, account, { from, to, after, limit: limit + 1 });
      const before = after ? await movedThrough(trx, account, from, after) : 0n;
      return { opening, closing, rows, before };
    });
  const lines = read.rows.slice(0, limit);
  let running = read.opening + read.before;
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
    openingBalance: read.opening,
    closingBalance: read.closing,
    items,
    nextCursor: read.rows.length > limit && last ? encodeCursor({ at: last.at, entryId: last.entry_id, stage: last.stage }, to) : null,
  };
}
