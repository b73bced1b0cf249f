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
  /** The account paid from, when no intent names it (a refunded unmatched transfer). */
  debtor?: { iban: string | null; bic: string | null; name: string | null };
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
      debtor_iban: o.debtor?.iban ?? null,
      debtor_bic: o.debtor?.bic ?? null,
      debtor_name: o.debtor?.name ?? null,
    })
    .execute();
}

/**
 * Orders to export (locked), with the account they are paid from: the order's own (a refunded
 * unmatched transfer) or its intent's, and what the payer's transfer said (for the remittance).
 */
export async function lockPendingRefundOrders(db: Db) {
  return db
    .selectFrom("refund_orders as o")
    .innerJoin("bank_transfers as b", "b.id", "o.bank_transfer_id")
    .leftJoin("payment_intents as i", "i.id", "b.intent_id")
    .selectAll("o")
    .select((eb) => [
      "i.reference as intent_reference",
      "b.reference as transfer_reference",
      eb.fn.coalesce("o.debtor_iban", "i.bank_iban").as("bank_iban"),
      eb.fn.coalesce("o.debtor_bic", "i.bank_bic").as("bank_bic"),
      eb.fn.coalesce("o.debtor_name", "i.bank_beneficiary").as("bank_beneficiary"),
      "b.reason as transfer_reason",
    ])
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

/** The newest refund exports (their files are downloaded one at a time). */
export async function listRefundExports(db: Db, limit: number) {
  return db.selectFrom("refund_exports").select(["id", "orders", "created_at"]).orderBy("created_at", "desc").orderBy("id", "desc").limit(limit).execute();
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

/** The account a refund order is paid from: its own, else its intent's (null when neither is known). */
export async function refundOrderDebtorIban(db: Db, orderId: string): Promise<string | null> {
  const r = await db
    .selectFrom("refund_orders as o")
    .innerJoin("bank_transfers as b", "b.id", "o.bank_transfer_id")
    .leftJoin("payment_intents as i", "i.id", "b.intent_id")
    .select((eb) => eb.fn.coalesce("o.debtor_iban", "i.bank_iban").as("iban"))
    .where("o.id", "=", orderId)
    .executeTakeFirst();
  return r?.iban ?? null;
}

export async function setRefundBeneficiary(db: Db, id: string, b: { iban: string; name: string; status: RefundOrderStatus }): Promise<void> {
  await db.updateTable("refund_orders").set({ creditor_iban: b.iban, creditor_name: b.name, status: b.status, reason: "the payer's IBAN was entered by an operator" }).where("id", "=", id).execute();
}
