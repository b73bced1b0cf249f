// SQL for operator refunds of paid trading pay-ins (migration 0053_c). Every status write notes its
// change for the audit entry of the operator's action.
import type { Insertable, Selectable, Updateable } from "kysely";
import { noteAuditChange } from "../audit/audit-scope.js";
import type { Db } from "../schema.js";
import type { TradingPayinRefundsTable } from "../tables/trading.js";

export type PayinRefundRow = Selectable<TradingPayinRefundsTable>;

/** The new refund, or undefined when the pay-in already has one (the unique index decides a race). */
export async function insertPayinRefund(db: Db, row: Insertable<TradingPayinRefundsTable>): Promise<PayinRefundRow | undefined> {
  const inserted = await db.insertInto("trading_payin_refunds").values(row).onConflict((oc) => oc.column("payin_id").doNothing()).returningAll().executeTakeFirst();
  if (inserted) noteAuditChange(db, { subject: `trading_payin_refund:${inserted.id}`, before: null, after: inserted.status });
  return inserted;
}

export async function findRefundOfPayin(db: Db, payinId: string): Promise<PayinRefundRow | undefined> {
  return db.selectFrom("trading_payin_refunds").selectAll().where("payin_id", "=", payinId).executeTakeFirst();
}

export async function lockPayinRefund(db: Db, id: string): Promise<PayinRefundRow | undefined> {
  return db.selectFrom("trading_payin_refunds").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
}

export async function updatePayinRefund(db: Db, locked: PayinRefundRow, set: Updateable<TradingPayinRefundsTable> & { status: PayinRefundRow["status"] }): Promise<PayinRefundRow> {
  noteAuditChange(db, { subject: `trading_payin_refund:${locked.id}`, before: locked.status, after: set.status });
  return db.updateTable("trading_payin_refunds").set(set).where("id", "=", locked.id).returningAll().executeTakeFirstOrThrow();
}

/** Refunds still owed to their payers (pending or sent), oldest first. */
export async function openPayinRefunds(db: Db, limit: number): Promise<PayinRefundRow[]> {
  return db.selectFrom("trading_payin_refunds").selectAll().where("status", "in", ["pending", "sent"]).orderBy("created_at").orderBy("id").limit(limit).execute();
}
