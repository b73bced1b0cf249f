// Refunds out. Money Rampart books back to a payer (bank_transfers.outcome 'refunded': a wrong amount,
// an intent no longer waiting, a second payment) becomes a refund order to the payer's IBAN from the
// statement that brought it. The operator exports the pending orders as one pain.001 file and uploads
// it to the bank; each order is closed when its debit appears in a later statement with the order's
// id as end-to-end id (closeRefundByDebit, called by the statement import). An order without a known
// IBAN waits for the operator, with the reason. The ledger booked each refund when the money came in.
import type { Transaction } from "kysely";
import { buildPain001 } from "../../core/bank-statements/pain001.js";
import { REFUND_ORDER_MACHINE, type RefundOrderStatus } from "../../core/bank-statements/refund-order-status.js";
import { fiatScale } from "../../core/money/currencies.js";
import { formatMinor } from "../../core/money/decimal.js";
import { AppError } from "../../core/shared/errors.js";
import { validIban } from "../../core/shared/iban.js";
import { printableText } from "../../core/shared/printable-text.js";
import {
  findRefundExport,
  insertRefundExport,
  insertRefundOrder,
  listRefundExports,
  listRefundOrders,
  lockPendingRefundOrders,
  lockRefundOrder,
  refundedTransfersWithoutOrder,
  refundOrderDebtorIban,
  setRefundBeneficiary,
  setRefundOrderStatus,
  type RefundOrderRow,
} from "../../db/bank-statements/refund-orders.js";
import type { DB } from "../../db/schema.js";
import type { Deps } from "../deps.js";

interface RefundOrderView {
  id: string;
  bankTransferId: string;
  amount: string;
  currency: string;
  creditorName: string | null;
  creditorIban: string | null;
  status: RefundOrderStatus;
  reason: string | null;
}

interface RefundExport {
  /** Null when no order was pending: no file. */
  exportId: string | null;
  exported: RefundOrderView[];
  /** Orders that cannot be exported yet, each with its reason. */
  waiting: RefundOrderView[];
  pain001: string | null;
}

const view = (o: RefundOrderRow): RefundOrderView => ({
  id: o.id,
  bankTransferId: o.bank_transfer_id,
  amount: formatMinor(BigInt(o.amount_minor), fiatScale(o.currency)),
  currency: o.currency,
  creditorName: o.creditor_name,
  creditorIban: o.creditor_iban,
  status: o.status,
  reason: o.reason,
});

/** One order per refunded transfer that has none: pending with a payer IBAN, else waiting. */
async function createMissingOrders(deps: Deps, trx: Transaction<DB>): Promise<void> {
  for (const t of await refundedTransfersWithoutOrder(trx)) {
    const why =
      t.payer_iban === null
        ? "the payer's IBAN is unknown: the transfer arrived without one"
        : t.bank_iban === null
          ? "the account the money arrived on is unknown"
          : null;
    await insertRefundOrder(trx, {
      id: deps.ids.prefixed("rfo"),
      bankTransferId: t.id,
      amountMinor: t.amount_minor,
      currency: t.currency,
      creditorName: t.payer_name,
      creditorIban: t.payer_iban,
      status: why === null ? "pending" : "waiting",
      reason: why ?? t.reason,
      at: deps.clock.now(),
    });
  }
}

export async function exportRefunds(deps: Deps): Promise<RefundExport> {
  return deps.database.db.transaction().execute(async (trx) => {
    await createMissingOrders(deps, trx);
    const pending = await lockPendingRefundOrders(trx);
    const waiting = (await listRefundOrders(trx, "waiting")).map(view);
    if (pending.length === 0) return { exportId: null, exported: [], waiting, pain001: null };

    const now = deps.clock.now();
    const exportId = deps.ids.prefixed("rfx");
    const batches = new Map<string, typeof pending>();
    for (const o of pending) {
      const key = `${o.bank_iban}|${o.currency}`;
      batches.set(key, [...(batches.get(key) ?? []), o]);
    }
    const pain001 = buildPain001({
      messageId: exportId,
      createdAt: now,
      initiatingParty: pending[0]!.bank_beneficiary ?? "Rampart",
      executionDate: now.toISOString().slice(0, 10),
      batches: [...batches.values()].map((orders) => ({
        debtorName: orders[0]!.bank_beneficiary ?? "Rampart",
        debtorIban: orders[0]!.bank_iban!,
        debtorBic: orders[0]!.bank_bic,
        currency: orders[0]!.currency,
        transfers: orders.map((o) => ({
          endToEndId: o.id,
          amount: formatMinor(BigInt(o.amount_minor), fiatScale(o.currency)),
          creditorName: o.creditor_name ?? "Payer",
          creditorIban: o.creditor_iban!,
          remittance: `Refund ${o.intent_reference ?? o.transfer_reference ?? "of your transfer"}${o.transfer_reason ? `: ${o.transfer_reason}` : ""}`,
        })),
      })),
    });
    await insertRefundExport(trx, { id: exportId, orders: pending.length, pain001, at: now });
    for (const o of pending) {
      await setRefundOrderStatus(trx, o.id, { status: REFUND_ORDER_MACHINE.next(o.status, "export"), exportId, exportedAt: now });
    }
    return { exportId, exported: pending.map((o) => ({ ...view(o), status: "exported" as const })), waiting, pain001 };
  });
}

/**
 * The operator enters the payer's IBAN and name of an order waiting for them (or corrects a pending
 * one): it becomes pending and goes out in the next export. Refused (409) once exported, and while the
 * account to pay it from is unknown.
 */
export async function setRefundOrderBeneficiary(deps: Deps, orderId: string, b: { iban: string; name: string }): Promise<RefundOrderView> {
  const iban = validIban(b.iban);
  if (iban === null) throw new AppError("invalid_iban", { field: "iban", message: "iban is not a valid IBAN (country, length and check digits)" });
  const name = printableText(b.name, 70);
  if (name === null) throw new AppError("validation_failed", { field: "name", message: "name must be 1 to 70 printable characters" });
  return deps.database.db.transaction().execute(async (trx) => {
    const order = await lockRefundOrder(trx, orderId);
    if (!order) throw new AppError("not_found", { message: "No refund order has this id" });
    const status = REFUND_ORDER_MACHINE.next(order.status, "set_beneficiary");
    if ((await refundOrderDebtorIban(trx, order.id)) === null) {
      throw new AppError("conflict", { message: "The account to pay this refund from is unknown: it cannot be exported" });
    }
    await setRefundBeneficiary(trx, order.id, { iban, name, status });
    return view((await lockRefundOrder(trx, order.id))!);
  });
}

export async function refundOrdersWaiting(deps: Deps): Promise<RefundOrderView[]> {
  return (await listRefundOrders(deps.database.db, "waiting")).map(view);
}

/** The orders the console lists: waiting for an IBAN (with the reason) and pending the next export. */
export async function openRefundOrders(deps: Deps): Promise<{ waiting: RefundOrderView[]; pending: RefundOrderView[] }> {
  const [waiting, pending] = await Promise.all([listRefundOrders(deps.database.db, "waiting"), listRefundOrders(deps.database.db, "pending")]);
  return { waiting: waiting.map(view), pending: pending.map(view) };
}

export async function recentRefundExports(deps: Deps, limit = 20) {
  return listRefundExports(deps.database.db, limit);
}

export async function refundExportFile(deps: Deps, id: string): Promise<string> {
  const e = await findRefundExport(deps.database.db, id);
  if (!e) throw new AppError("not_found", { message: "No refund export has this id" });
  return e.pain001;
}

/**
 * A statement's debit whose end-to-end id names an exported refund order closes it, when amount and
 * currency agree. Returns what the import reports for the line, or null when the debit is no refund.
 */
export async function closeRefundByDebit(
  deps: Deps,
  trx: Transaction<DB>,
  debit: { endToEndId: string | null; amountMinor: bigint; currency: string },
): Promise<{ orderId: string; outcome: "matched" | "duplicate" | "ignored"; reason: string } | null> {
  if (debit.endToEndId === null) return null;
  const order = await lockRefundOrder(trx, debit.endToEndId);
  if (!order) return null;
  if (order.status === "closed") return { orderId: order.id, outcome: "duplicate", reason: `refund order ${order.id} was closed before` };
  if (BigInt(order.amount_minor) !== debit.amountMinor || order.currency !== debit.currency) {
    return { orderId: order.id, outcome: "ignored", reason: `debit names refund order ${order.id} but its amount differs: for the operator` };
  }
  await setRefundOrderStatus(trx, order.id, { status: REFUND_ORDER_MACHINE.next(order.status, "close"), closedAt: deps.clock.now() });
  return { orderId: order.id, outcome: "matched", reason: `closes refund order ${order.id}` };
}
