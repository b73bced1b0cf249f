// GET /payment/intent (Extension): a merchant follows its intents. Newest first, a cursor page of at
// most 100 (pageOf: the last page's nextCursor is null), filtered by status, e-mail, store and a
// created range; only the caller's own intents, whatever the filters name.
import type { IntentStatus } from "../../core/intents/intent-status.js";
import { invalidCursor, pageOf, pageSize } from "../../core/shared/page-size.js";
import { listIntentRefunds } from "../../db/bank-transfers/bank-transfers.js";
import { listMerchantIntents } from "../../db/intents/intents.js";
import type { Deps } from "../deps.js";
import { checkoutUrl } from "./checkout.js";
import { listItemView } from "./status-view.js";

const MAX_PAGE = 100;
/** The cursor is the last intent's id (ids are time-ordered); anything else is refused, not ignored. */
const INTENT_ID = /^pi_[0-9a-z]{26}$/;

interface IntentListQuery {
  status?: number;
  email?: string;
  storeId?: string;
  from?: Date;
  to?: Date;
  limit?: number;
  cursor?: string;
}

export async function listIntents(deps: Deps, merchantId: string, q: IntentListQuery) {
  if (q.cursor !== undefined && !INTENT_ID.test(q.cursor)) throw invalidCursor();
  const limit = pageSize(q.limit, 20, MAX_PAGE);
  const db = deps.database.db;
  const rows = await listMerchantIntents(db, {
    merchantId,
    ...(q.status !== undefined ? { status: q.status as IntentStatus } : {}),
    ...(q.email !== undefined ? { email: q.email.trim().toLowerCase() } : {}),
    ...(q.storeId !== undefined ? { storeId: q.storeId } : {}),
    ...(q.from ? { from: q.from } : {}),
    ...(q.to ? { to: q.to } : {}),
    ...(q.cursor !== undefined ? { beforeId: q.cursor } : {}),
    limit: limit + 1,
  });
  const page = pageOf(rows, limit, (i) => i.id);
  const refunds = await listIntentRefunds(db, page.items.map((i) => i.id));
  return {
    items: page.items.map((i) => listItemView({ ...i, refunds: refunds.filter((r) => r.intent_id === i.id) }, checkoutUrl(deps, i.id))),
    nextCursor: page.nextCursor,
  };
}
