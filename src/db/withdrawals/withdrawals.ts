// SQL of merchants' withdrawal addresses and withdrawals (migration 0046_w). Every function takes the
// pool or the caller's transaction; locks are taken by the use case's transaction (FOR UPDATE).
import type { Insertable, Selectable, Updateable } from "kysely";
import type { Db } from "../schema.js";
import type { WithdrawalStatus } from "../../core/withdrawals/withdrawal-status.js";
import type { WithdrawalTables, WithdrawalsTable } from "../tables/withdrawals.js";

export type WithdrawalAddressRow = Selectable<WithdrawalTables["withdrawal_addresses"]>;
export type WithdrawalRow = Selectable<WithdrawalsTable>;

/** Inserts a live address; false when the merchant already has it live on that network (unique index). */
export async function insertWithdrawalAddress(db: Db, row: Insertable<WithdrawalTables["withdrawal_addresses"]>): Promise<boolean> {
  const r = await db
    .insertInto("withdrawal_addresses")
    .values(row)
    .onConflict((oc) => oc.columns(["merchant_id", "network", "address"]).where("removed_at", "is", null).doNothing())
    .executeTakeFirst();
  return (r.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

/** The merchant's live addresses, oldest first, after the cursor (an address id). */
export async function listWithdrawalAddresses(db: Db, merchantId: string, page: { limit: number; after?: string }): Promise<WithdrawalAddressRow[]> {
  let q = db.selectFrom("withdrawal_addresses").selectAll().where("merchant_id", "=", merchantId).where("removed_at", "is", null);
  if (page.after !== undefined) q = q.where("id", ">", page.after);
  return q.orderBy("id").limit(page.limit).execute();
}

/** A live address of the merchant, locked so a concurrent removal waits for the withdrawal that uses it. */
export async function lockWithdrawalAddress(db: Db, merchantId: string, id: string): Promise<WithdrawalAddressRow | undefined> {
  return db
    .selectFrom("withdrawal_addresses")
    .selectAll()
    .where("id", "=", id)
    .where("merchant_id", "=", merchantId)
    .where("removed_at", "is", null)
    .forUpdate()
    .executeTakeFirst();
}

/** Stamps removed_at on a live address of the merchant; false when there is none (another merchant's, or removed). */
export async function removeWithdrawalAddress(db: Db, merchantId: string, id: string, now: Date): Promise<boolean> {
  const r = await db
    .updateTable("withdrawal_addresses")
    .set({ removed_at: now })
    .where("id", "=", id)
    .where("merchant_id", "=", merchantId)
    .where("removed_at", "is", null)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export async function insertWithdrawal(db: Db, row: Insertable<WithdrawalsTable>): Promise<void> {
  await db.insertInto("withdrawals").values(row).execute();
}

export async function lockWithdrawal(db: Db, id: string): Promise<WithdrawalRow | undefined> {
  return db.selectFrom("withdrawals").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
}

export async function updateWithdrawal(db: Db, id: string, patch: Updateable<WithdrawalsTable>): Promise<WithdrawalRow> {
  return db.updateTable("withdrawals").set(patch).where("id", "=", id).returningAll().executeTakeFirstOrThrow();
}

/** One withdrawal, scoped to its merchant when one is named (another merchant's is not found). */
export async function findWithdrawal(db: Db, id: string, merchantId?: string): Promise<WithdrawalRow | undefined> {
  let q = db.selectFrom("withdrawals").selectAll().where("id", "=", id);
  if (merchantId !== undefined) q = q.where("merchant_id", "=", merchantId);
  return q.executeTakeFirst();
}

/**
 * Withdrawals newest first (ids are time-ordered), before the cursor: a merchant's own, or everyone's
 * for the operator, optionally of one status.
 */
export async function listWithdrawals(
  db: Db,
  filter: { merchantId?: string; status?: WithdrawalStatus },
  page: { limit: number; before?: string },
): Promise<WithdrawalRow[]> {
  let q = db.selectFrom("withdrawals").selectAll();
  if (filter.merchantId !== undefined) q = q.where("merchant_id", "=", filter.merchantId);
  if (filter.status !== undefined) q = q.where("status", "=", filter.status);
  if (page.before !== undefined) q = q.where("id", "<", page.before);
  return q.orderBy("id", "desc").limit(page.limit).execute();
}
