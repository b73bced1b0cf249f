// SQL for incoming bank transfers (every flow, every feed).
import type { Selectable } from "kysely";
import type { IncomingBankTransfer } from "../../core/bank-transfers/incoming-transfer.js";
import type { BankTransferOutcome } from "../../core/bank-transfers/outcome.js";
import type { Db } from "../schema.js";
import type { BankTransfersTable } from "../tables/bank-transfers.js";

export type BankTransferRow = Selectable<BankTransfersTable>;

type NewBankTransfer = IncomingBankTransfer & { id: string };

/**
 * Records a transfer as unmatched, once per bank transaction id; false when that id was recorded
 * before. A concurrent insert of the same id waits for the first to commit, so a redelivery racing
 * the original is told it is a duplicate and never matched twice.
 */
export async function insertBankTransfer(db: Db, t: NewBankTransfer): Promise<boolean> {
  const r = await db
    .insertInto("bank_transfers")
    .values({
      id: t.id,
      external_id: t.externalId,
      feed: t.feed,
      amount_minor: t.amountMinor.toString(),
      currency: t.currency,
      requisite_id: t.requisiteId,
      reference: t.reference,
      payer_name: t.payerName,
      payer_iban: t.payerIban,
      received_at: t.receivedAt,
      outcome: "unmatched",
    })
    .onConflict((oc) => oc.column("external_id").doNothing())
    .executeTakeFirst();
  return (r.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

/** A recorded transfer with the merchant whose pay-in or intent it matched (null when none). */
export async function findBankTransferByExternalId(db: Db, externalId: string): Promise<(BankTransferRow & { owner_merchant_id: string | null }) | undefined> {
  return db
    .selectFrom("bank_transfers as b")
    .leftJoin("trading_payins as p", "p.id", "b.trading_payin_id")
    .leftJoin("payment_intents as i", "i.id", "b.intent_id")
    .selectAll("b")
    .select((eb) => eb.fn.coalesce("p.merchant_id", "i.merchant_id").as("owner_merchant_id"))
    .where("b.external_id", "=", externalId)
    .executeTakeFirst();
}

interface TransferOutcomeRecord {
  outcome: BankTransferOutcome;
  reason: string | null;
  tradingPayinId: string | null;
  intentId: string | null;
}

export async function recordBankTransferOutcome(db: Db, id: string, o: TransferOutcomeRecord): Promise<void> {
  await db
    .updateTable("bank_transfers")
    .set({ outcome: o.outcome, reason: o.reason, trading_payin_id: o.tradingPayinId, intent_id: o.intentId })
    .where("id", "=", id)
    .execute();
}

export async function findBankTransfer(db: Db, id: string): Promise<BankTransferRow | undefined> {
  return db.selectFrom("bank_transfers").selectAll().where("id", "=", id).executeTakeFirst();
}

/** A transfer locked for an operator's action on it (assign, refund): concurrent actions queue here. */
export async function lockBankTransfer(db: Db, id: string): Promise<BankTransferRow | undefined> {
  return db.selectFrom("bank_transfers").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
}

/** Closes an unmatched transfer for the operator (the outcome was recorded by the match or the refund). */
export async function resolveBankTransfer(
  db: Db,
  id: string,
  r: { resolution: "assigned" | "refunded"; by: string; at: Date; outcome?: BankTransferOutcome; reason?: string | null },
): Promise<void> {
  await db
    .updateTable("bank_transfers")
    .set({
      resolution: r.resolution,
      resolved_by: r.by,
      resolved_at: r.at,
      ...(r.outcome !== undefined ? { outcome: r.outcome } : {}),
      ...(r.reason !== undefined ? { reason: r.reason } : {}),
    })
    .where("id", "=", id)
    .execute();
}

/** Transfers with one of `outcomes`, newest first: the operator's queues (unmatched, refunds owed). */
export async function listBankTransfersByOutcome(db: Db, outcomes: readonly BankTransferOutcome[], limit: number): Promise<BankTransferRow[]> {
  return db
    .selectFrom("bank_transfers")
    .selectAll()
    .where("outcome", "in", outcomes)
    .orderBy("received_at", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
}

/** The transfers refunded to their payers for these intents, oldest first: what the status read states. */
export async function listIntentRefunds(db: Db, intentIds: readonly string[]) {
  if (intentIds.length === 0) return [];
  return db
    .selectFrom("bank_transfers")
    .select(["intent_id", "amount_minor", "currency", "payer_name", "payer_iban", "reason", "created_at"])
    .where("intent_id", "in", intentIds)
    .where("outcome", "=", "refunded")
    .orderBy("created_at")
    .orderBy("id")
    .execute();
}
export type IntentRefundRow = Awaited<ReturnType<typeof listIntentRefunds>>[number];

/** True when a transfer already paid this trading pay-in. */
export async function payinHasPayingTransfer(db: Db, payinId: string): Promise<boolean> {
  const r = await db
    .selectFrom("bank_transfers")
    .select("id")
    .where("trading_payin_id", "=", payinId)
    .where("outcome", "=", "paid")
    .executeTakeFirst();
  return r !== undefined;
}
