// The retention purge (docs/operations.md#erasure-and-retention): each class of personal data is
// removed once older than its setting (config.retention; 0 keeps it for good), in batches of at most
// `batch` rows per class and call, each batch in its own short transaction whose rows are claimed
// with SKIP LOCKED, so several workers share the work. Files go by files.delete jobs written in the
// same transaction. Risk velocity rows go once no risk rule's window reaches them.
import { scrubPayerInfo } from "../../core/privacy/erasure.js";
import {
  deleteFinishedWebhooks,
  deleteVelocityBefore,
  eraseOldIntentIps,
  longestRiskWindowSeconds,
  payinsWithPayerTraces,
  takeKycDocuments,
  takeReceipts,
} from "../../db/privacy/retention.js";
import { setTradingPayinExtra } from "../../db/privacy/erasure-write.js";
import type { Deps } from "../deps.js";
import { tradingPayinChanging } from "../trading/payin-read-cache.js";
import { enqueueFileDeletion } from "../privacy/stored-files.js";

const DAY_MS = 86_400_000;

type RetentionClass = "kyc_documents" | "receipts" | "webhook_bodies" | "payer_ips" | "risk_velocity";

/** Rows handled per class in one call. */
export type RetentionCounts = Record<RetentionClass, number>;

const cutoff = (now: Date, days: number) => new Date(now.getTime() - days * DAY_MS);

/** One batch of every class that is due; returns what each removed. */
export async function purgeRetention(deps: Deps, batch: number): Promise<RetentionCounts> {
  const now = deps.clock.now();
  const r = deps.config.retention;
  const db = deps.database.db;
  const counts: RetentionCounts = { kyc_documents: 0, receipts: 0, webhook_bodies: 0, payer_ips: 0, risk_velocity: 0 };

  if (r.kycDocumentsDays > 0) {
    counts.kyc_documents = await db.transaction().execute(async (trx) => {
      const taken = await takeKycDocuments(trx, cutoff(now, r.kycDocumentsDays), batch);
      await enqueueFileDeletion(deps, trx, taken.files, "retention:kyc");
      return taken.cases;
    });
  }
  if (r.receiptsDays > 0) {
    counts.receipts = await db.transaction().execute(async (trx) => {
      const files = await takeReceipts(trx, cutoff(now, r.receiptsDays), batch);
      await enqueueFileDeletion(deps, trx, files, "retention:receipts");
      return files.length;
    });
  }
  if (r.webhookBodiesDays > 0) {
    counts.webhook_bodies = await db.transaction().execute((trx) => deleteFinishedWebhooks(trx, cutoff(now, r.webhookBodiesDays), batch));
  }
  if (r.payerIpsDays > 0) {
    const before = cutoff(now, r.payerIpsDays);
    counts.payer_ips = await db.transaction().execute(async (trx) => {
      let n = await eraseOldIntentIps(trx, before, batch);
      for (const p of await payinsWithPayerTraces(trx, before, batch)) {
        const extra = scrubPayerInfo(p.extra, "traces");
        if (extra !== null) {
          tradingPayinChanging(deps, p.id);
          await setTradingPayinExtra(trx, p.id, extra, now);
          n++;
        }
      }
      return n;
    });
  }
  const horizonS = await longestRiskWindowSeconds(db);
  counts.risk_velocity = await db.transaction().execute((trx) => deleteVelocityBefore(trx, new Date(now.getTime() - horizonS * 1000), batch));

  for (const [cls, n] of Object.entries(counts)) deps.metrics.retentionPurged(cls, n);
  if (Object.values(counts).some((n) => n > 0)) deps.logger.info({ retention: counts }, "retention purge");
  return counts;
}
