// What support works through on the operator dashboard: pay-ins in dispute or under review (with their
// receipts) and any receipt's bytes.
import { AppError } from "../../core/shared/errors.js";
import { findPayin, findReceipt, listPayinsInStatuses, listReceiptsOfPayins, type TradingPayinRow } from "../../db/trading/payins.js";
import type { Deps } from "../deps.js";

const DISPUTE_STATUSES = ["dispute", "checking"] as const;

interface ReceiptInfo {
  invoiceKey: string;
  uploadedBy: string;
  contentType: string;
  sizeBytes: number;
  createdAt: Date;
}

export interface PayinWithReceipts {
  payin: TradingPayinRow;
  receipts: ReceiptInfo[];
}

async function withReceipts(deps: Deps, rows: TradingPayinRow[]): Promise<PayinWithReceipts[]> {
  const receipts = await listReceiptsOfPayins(
    deps.database.db,
    rows.map((p) => p.id),
  );
  return rows.map((payin) => ({ payin, receipts: receipts.filter((r) => r.payin_id === payin.id).map(receiptInfo) }));
}

const receiptInfo = (r: Awaited<ReturnType<typeof listReceiptsOfPayins>>[number]): ReceiptInfo => ({
  invoiceKey: r.invoice_key,
  uploadedBy: r.uploaded_by,
  contentType: r.content_type,
  sizeBytes: r.size_bytes,
  createdAt: r.created_at,
});

/** One pay-in's receipts (its page in the console), oldest first. */
export async function receiptsOfPayin(deps: Deps, payinId: string): Promise<ReceiptInfo[]> {
  return (await listReceiptsOfPayins(deps.database.db, [payinId])).map(receiptInfo);
}

/** Every pay-in support may have to decide (dispute or checking), longest waiting first. */
export async function disputesForSupport(deps: Deps, limit = 100): Promise<PayinWithReceipts[]> {
  return withReceipts(deps, await listPayinsInStatuses(deps.database.db, { statuses: [...DISPUTE_STATUSES], limit: Math.min(limit, 100) }));
}

/** One trader's pay-ins in dispute or checking (the trader cabinet's "waiting for me"). */
export async function disputesForTrader(deps: Deps, traderId: string, limit = 100): Promise<PayinWithReceipts[]> {
  return withReceipts(deps, await listPayinsInStatuses(deps.database.db, { statuses: [...DISPUTE_STATUSES], traderId, limit: Math.min(limit, 100) }));
}

/** One trader's active pay-ins: money they may still have to confirm. */
export async function openPayinsForTrader(deps: Deps, traderId: string, limit = 100): Promise<TradingPayinRow[]> {
  return listPayinsInStatuses(deps.database.db, { statuses: ["active"], traderId, limit: Math.min(limit, 100) });
}

/** Support may read any receipt (it is dispute evidence for the operator to judge). */
export async function readReceiptForSupport(deps: Deps, invoiceKey: string): Promise<{ data: Buffer; contentType: string }> {
  const r = await findReceipt(deps.database.db, invoiceKey);
  const file = r && (await findPayin(deps.database.db, r.payin_id)) ? await deps.ports.files.get(r.storage_key) : null;
  if (!file) throw new AppError("not_found", { message: "Receipt not found" });
  return file;
}

/** A pay-in as support decides on it (the console's step-up reads its amount first); 404 when unknown. */
export async function payinForSupport(deps: Deps, id: string): Promise<TradingPayinRow> {
  const p = await findPayin(deps.database.db, id);
  if (!p) throw new AppError("not_found", { message: "Pay-in not found" });
  return p;
}
