// SQL for refund orders (refunds out): the refunded transfers that have none yet, the orders to
// export with the account each is paid from, their export, and the order a statement's debit closes.
import type { Selectable } from "kysely";
import type { RefundOrderStatus } from "../../core/bank-statements/refund-order-status.js";
import type { Db } from "../schema.js";
import type { RefundTables } from "../tables/bank-statements.js";

export type RefundOrderRow = Selectable<RefundTables["refund_orders"]>;

/** Transfers Rampart books back to their payer that have no refund order yet, with the intent's account. */
export async function refundedTransfersWithoutOrder(db: Db) {
  return db
    .selectFrom("bank_transfers as b")
    .leftJoin("refund_orders as o", "o.bank_transfer_id", "b.id")
    .leftJoin("payment_intents as i", "i.id", "b.intent_id")
    .select(["b.id", "b.amount_minor", "b.currency", "b.payer_name", "b.payer_iban", "b.reason", "i.bank_iban"])
    .where("b.outcome", "=", "refunded")
    .where("o.id", "is", null)
    .orderBy("b.created_at")
    .orderBy("b.id")
    .execute();
}

interface NewRefundOrder {
  id: string;
  bankTransferId: string;
  amountMinor: string;
  currency: string;
  creditorName: string | null;
  creditorIban: string | null;
  status: RefundOrderStatus;
  reason: string | null;
  at: Date;
}

export async function insertRefundOrder(db: Db, o: NewRefundOrder): Promise<void> {
  await db
    .insertInto("refund_orders")
    .values({
      id: o.id,
      bank_transfer_id: o.bankTransferId,
      amount_minor: o.amountMinor,
      currency: o.currency,
      creditor_name: o.creditorName,
      creditor_iban: o.creditorIban,
      status: o.status,
      reason: o.reason,
      created_at: o.at,
    })
    .execute();
}

/** Orders to export (locked), with the account and intent they are paid from. */
export async function lockPendingRefundOrders(db: Db) {
  return db
    .selectFrom("refund_orders as o")
    .innerJoin("bank_transfers as b", "b.id", "o.bank_transfer_id")
    .innerJoin("payment_intents as i", "i.id", "b.intent_id")
    .selectAll("o")
    .select(["i.reference as intent_reference", "i.bank_iban", "i.bank_bic", "i.bank_beneficiary", "b.reason as transfer_reason"])
    .where("o.status", "=", "pending")
    .orderBy("o.created_at")
    .orderBy("o.id")
    .forUpdate("o")
    .execute();
}

export async function insertRefundExport(db: Db, e: { id: string; orders: number; pain001: string; at: Date }): Promise<void> {
  await db.insertInto("refund_exports").values({ id: e.id, orders: e.orders, pain001: e.pain001, created_at: e.at }).execute();
}

export async function findRefundExport(db: Db, id: string) {
  return db.selectFrom("refund_exports").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function setRefundOrderStatus(
  db: Db,
  id: string,
  set: { status: RefundOrderStatus; exportId?: string; exportedAt?: Date; closedAt?: Date; statementImportId?: string },
): Promise<void> {
  await db
    .updateTable("refund_orders")
    .set({
      status: set.status,
      ...(set.exportId !== undefined ? { export_id: set.exportId } : {}),
      ...(set.exportedAt !== undefined ? { exported_at: set.exportedAt } : {}),
      ...(set.closedAt !== undefined ? { closed_at: set.closedAt } : {}),
      ...(set.statementImportId !== undefined ? { statement_import_id: set.statementImportId } : {}),
    })
    .where("id", "=", id)
    .execute();
}

export async function lockRefundOrder(db: Db, id: string): Promise<RefundOrderRow | undefined> {
  return db.selectFrom("refund_orders").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
}

export async function listRefundOrders(db: Db, status: RefundOrderStatus): Promise<RefundOrderRow[]> {
  return db.selectFrom("refund_orders").selectAll().where("status", "=", status).orderBy("created_at").orderBy("id").limit(500).execute();
}
