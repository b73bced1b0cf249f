// SQL of withdrawal addresses and withdrawals (migrations 0046_w): each row belongs to a merchant or a
// trader (its owner), and every read is scoped to the owner that asks. Every function takes the pool or
// the caller's transaction; locks are taken in the use case's transaction (FOR UPDATE).
import type { Insertable, Selectable, Updateable } from "kysely";
import type { WithdrawalOwner } from "../../core/withdrawals/withdrawal-owner.js";
import type { WithdrawalStatus } from "../../core/withdrawals/withdrawal-status.js";
import type { Db } from "../schema.js";
import type { WithdrawalTables, WithdrawalsTable } from "../tables/withdrawals.js";

export type WithdrawalAddressRow = Selectable<WithdrawalTables["withdrawal_addresses"]>;
export type WithdrawalRow = Selectable<WithdrawalsTable>;

/** The column that names the owner. */
const ownerColumn = (o: WithdrawalOwner) => (o.kind === "merchant" ? "merchant_id" : "trader_id");

/** The owner columns of a new row: one set, the other null. */
export const ownerColumns = (o: WithdrawalOwner) => ({ merchant_id: o.kind === "merchant" ? o.id : null, trader_id: o.kind === "trader" ? o.id : null });

/** Inserts a live address; false when the owner already has it live on that network (unique index). */
export async function insertWithdrawalAddress(db: Db, owner: WithdrawalOwner, row: Omit<Insertable<WithdrawalTables["withdrawal_addresses"]>, "merchant_id" | "trader_id">): Promise<boolean> {
  const r = await db
    .insertInto("withdrawal_addresses")
    .values({ ...row, ...ownerColumns(owner) })
    .onConflict((oc) => oc.columns([ownerColumn(owner), "network", "address"]).where("removed_at", "is", null).doNothing())
    .executeTakeFirst();
  return (r.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

/** The owner's live addresses, oldest first, after the cursor (an address id). */
export async function listWithdrawalAddresses(db: Db, owner: WithdrawalOwner, page: { limit: number; after?: string }): Promise<WithdrawalAddressRow[]> {
  let q = db.selectFrom("withdrawal_addresses").selectAll().where(ownerColumn(owner), "=", owner.id).where("removed_at", "is", null);
  if (page.after !== undefined) q = q.where("id", ">", page.after);
  return q.orderBy("id").limit(page.limit).execute();
}

/** A live address of the owner, locked so a concurrent removal waits for the withdrawal that uses it. */
export async function lockWithdrawalAddress(db: Db, owner: WithdrawalOwner, id: string): Promise<WithdrawalAddressRow | undefined> {
  return db
    .selectFrom("withdrawal_addresses")
    .selectAll()
    .where("id", "=", id)
    .where(ownerColumn(owner), "=", owner.id)
    .where("removed_at", "is", null)
    .forUpdate()
    .executeTakeFirst();
}

/** Stamps removed_at on a live address of the owner; false when there is none (another owner's, or removed). */
export async function removeWithdrawalAddress(db: Db, owner: WithdrawalOwner, id: string, now: Date): Promise<boolean> {
  const r = await db
    .updateTable("withdrawal_addresses")
    .set({ removed_at: now })
    .where("id", "=", id)
    .where(ownerColumn(owner), "=", owner.id)
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

/** One withdrawal, scoped to its owner when one is named (another owner's is not found). */
export async function findWithdrawal(db: Db, id: string, owner?: WithdrawalOwner): Promise<WithdrawalRow | undefined> {
  let q = db.selectFrom("withdrawals").selectAll().where("id", "=", id);
  if (owner !== undefined) q = q.where(ownerColumn(owner), "=", owner.id);
  return q.executeTakeFirst();
}

/**
 * Withdrawals newest first (ids are time-ordered), before the cursor: an owner's own, or everyone's
 * for the operator, optionally of one status.
 */
export async function listWithdrawals(
  db: Db,
  filter: { owner?: WithdrawalOwner; status?: WithdrawalStatus },
  page: { limit: number; before?: string },
): Promise<WithdrawalRow[]> {
  let q = db.selectFrom("withdrawals").selectAll();
  if (filter.owner !== undefined) q = q.where(ownerColumn(filter.owner), "=", filter.owner.id);
  if (filter.status !== undefined) q = q.where("status", "=", filter.status);
  if (page.before !== undefined) q = q.where("id", "<", page.before);
  return q.orderBy("id", "desc").limit(page.limit).execute();
}
