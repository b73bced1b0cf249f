// Receipts (dispute evidence) uploaded by the merchant, the payer or the trader. The bytes go to
// the FileStorage port first; the row that makes the invoiceKey usable is written after.
import { AppError } from "../../core/shared/errors.js";
import { deleteReceipt, findPayin, findReceipt, insertReceipt } from "../../db/trading/payins.js";
import type { Deps } from "../deps.js";
import type { CommitAnswer } from "../idempotency/idempotency-keys.js";

export const MAX_RECEIPT_BYTES = 10 * 1024 * 1024;

/** Content type from the file's first bytes; the declared type is not trusted. */
function sniffReceiptType(data: Buffer): "application/pdf" | "image/png" | "image/jpeg" | null {
  if (data.subarray(0, 5).toString("latin1") === "%PDF-") return "application/pdf";
  if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return "image/png";
  if (data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return "image/jpeg";
  return null;
}

type ReceiptUploader = { kind: "merchant"; merchantId: string } | { kind: "payer" } | { kind: "trader"; traderId: string };

export async function uploadReceipt(
  deps: Deps,
  uploader: ReceiptUploader,
  payinId: string,
  data: Buffer,
  commit?: CommitAnswer<{ invoiceKey: string }>,
): Promise<{ invoiceKey: string }> {
  const p = await findPayin(deps.database.db, payinId);
  const owns =
    p && (uploader.kind === "payer" || (uploader.kind === "merchant" ? p.merchant_id === uploader.merchantId : p.trader_id === uploader.traderId));
  if (!p || !owns) throw new AppError("not_found", { message: "Pay-in not found" });
  if (data.length > MAX_RECEIPT_BYTES) throw new AppError("body_too_large");
  const contentType = sniffReceiptType(data);
  if (!contentType) throw new AppError("unsupported_media_type", { message: "The receipt must be a PDF, PNG or JPEG file", field: "file" });
  const invoiceKey = deps.ids.prefixed("inv");
  const storageKey = `trading/receipts/${invoiceKey}`;
  await deps.ports.files.put(storageKey, data, contentType);
  const uploaded = { invoiceKey };
  await deps.database.db.transaction().execute(async (trx) => {
    await insertReceipt(trx, { invoiceKey, payinId, uploadedBy: uploader.kind, storageKey, contentType, size: data.length, at: deps.clock.now() });
    await commit?.(trx, uploaded);
  });
  return uploaded;
}

/** Removes a receipt no dispute came of: its row, then its bytes (the row first, so no key points at a missing file). */
export async function discardReceipt(deps: Deps, invoiceKey: string): Promise<void> {
  const storageKey = await deleteReceipt(deps.database.db, invoiceKey);
  if (storageKey !== undefined) await deps.ports.files.delete(storageKey);
}

/** A receipt's bytes for the merchant (or trader) of its pay-in; anyone else gets 404. */
export async function readReceipt(
  deps: Deps,
  reader: { merchantId?: string; traderId?: string },
  invoiceKey: string,
): Promise<{ data: Buffer; contentType: string }> {
  const r = await findReceipt(deps.database.db, invoiceKey);
  const p = r ? await findPayin(deps.database.db, r.payin_id) : undefined;
  const allowed = p && (p.merchant_id === reader.merchantId || p.trader_id === reader.traderId);
  const file = allowed ? await deps.ports.files.get(r!.storage_key) : null;
  if (!file) throw new AppError("not_found", { message: "Receipt not found" });
  return file;
}
