// Reading withdrawals: a merchant or a trader sees its own (another's is not found), the operator sees all,
// newest first, in bounded pages (the cursor is the last id of the page).
import { pageOf, pageSize } from "../../core/shared/page-size.js";
import { AppError } from "../../core/shared/errors.js";
import type { WithdrawalOwner } from "../../core/withdrawals/withdrawal-owner.js";
import type { WithdrawalStatus } from "../../core/withdrawals/withdrawal-status.js";
import { findWithdrawal, listWithdrawals } from "../../db/withdrawals/withdrawals.js";
import type { Deps } from "../deps.js";
import { type WithdrawalView, withdrawalView } from "./withdrawal-view.js";

export const MAX_WITHDRAWAL_PAGE = 100;

interface ListQuery {
  owner?: WithdrawalOwner;
  status?: WithdrawalStatus;
  limit?: number;
  before?: string;
}

export async function withdrawalPage(deps: Deps, q: ListQuery): Promise<{ items: WithdrawalView[]; nextCursor: string | null }> {
  const limit = pageSize(q.limit, 50, MAX_WITHDRAWAL_PAGE);
  const rows = await listWithdrawals(
    deps.database.db,
    { ...(q.owner ? { owner: q.owner } : {}), ...(q.status ? { status: q.status } : {}) },
    { limit: limit + 1, ...(q.before ? { before: q.before } : {}) },
  );
  const page = pageOf(rows, limit, (last) => last.id);
  return { items: page.items.map(withdrawalView), nextCursor: page.nextCursor };
}

/** One withdrawal; `owner` scopes it to that merchant or trader (the operator names none). */
export async function readWithdrawal(deps: Deps, id: string, owner?: WithdrawalOwner): Promise<WithdrawalView> {
  const w = await findWithdrawal(deps.database.db, id, owner);
  if (!w) throw new AppError("not_found", { message: "No such withdrawal." });
  return withdrawalView(w);
}
