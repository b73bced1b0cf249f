// SQL for card offers and card payments.
import { sql, type Selectable } from "kysely";
import type { Db } from "../credentials.js";
import type { CardOffersTable, CardPaymentsTable } from "../tables/card.js";

export type OfferRow = Selectable<CardOffersTable>;
export type PaymentRow = Selectable<CardPaymentsTable>;

export interface OfferAmounts {
  fiat: string;
  fiat_minor: string;
  crypto: string;
  crypto_network: string;
  crypto_decimals: number;
  crypto_minor: string;
  fee_minor: string;
  mid_rate: string;
  rate_source: string;
  expires_at: Date;
}

/** The customer's offer (another customer's is undefined, like an unknown id). */
export async function findCustomerOffer(db: Db, customerId: string, offerId: string, forUpdate = false): Promise<OfferRow | undefined> {
  let q = db.selectFrom("card_offers").selectAll().where("id", "=", offerId).where("customer_id", "=", customerId);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function requoteOffer(db: Db, offerId: string, a: OfferAmounts & { now: Date }): Promise<OfferRow> {
  const { now, ...values } = a;
  return db.updateTable("card_offers").set({ ...values, updated_at: now }).where("id", "=", offerId).returningAll().executeTakeFirstOrThrow();
}

export async function markOfferPaid(db: Db, offerId: string, now: Date): Promise<void> {
  await db.updateTable("card_offers").set({ status: "paid", updated_at: now }).where("id", "=", offerId).execute();
}

// --- payments

export async function insertPayment(db: Db, row: Omit<PaymentRow, "provider_ref" | "transaction_status" | "transaction_status_code" | "original_status" | "original_status_code" | "card_country_code" | "card_country_name" | "card_bank_name" | "challenge_expires_at" | "completed_at">): Promise<void> {
  await db.insertInto("card_payments").values(row).execute();
}

export async function findPaymentByOffer(db: Db, offerId: string, forUpdate = false): Promise<PaymentRow | undefined> {
  let q = db.selectFrom("card_payments").selectAll().where("offer_id", "=", offerId);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** The payment of the customer's offer, in one round trip (pay-callback polling is a hot path). */
export async function findCustomerOfferPayment(db: Db, customerId: string, offerId: string): Promise<{ offerFound: boolean; payment: PaymentRow | null }> {
  const row = await db
    .selectFrom("card_offers as o")
    .leftJoin("card_payments as p", "p.offer_id", "o.id")
    .select("o.id as found_offer_id")
    .selectAll("p")
    .where("o.id", "=", offerId)
    .where("o.customer_id", "=", customerId)
    .executeTakeFirst();
  if (!row) return { offerFound: false, payment: null };
  const { found_offer_id: _offer, ...payment } = row;
  return { offerFound: true, payment: payment.id === null ? null : (payment as PaymentRow) };
}

export async function findPayment(db: Db, id: string, forUpdate = false): Promise<PaymentRow | undefined> {
  let q = db.selectFrom("card_payments").selectAll().where("id", "=", id);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function updatePayment(db: Db, id: string, set: Partial<Omit<PaymentRow, "id" | "offer_id">> & { updated_at: Date }): Promise<void> {
  await db.updateTable("card_payments").set(set).where("id", "=", id).execute();
}

/**
 * The customer's pay-in volume since `since` in the limit currency: every payment not failed counts
 * (pending ones too, so concurrent payments cannot both use the same headroom). `pending` is the part
 * still awaiting an outcome.
 */
export async function rollingVolume(db: Db, customerId: string, since: Date): Promise<{ used: bigint; pending: bigint }> {
  const r = await rollingVolumeQuery(db, customerId, since).executeTakeFirstOrThrow();
  return { used: BigInt(r.used), pending: BigInt(r.pending) };
}

function rollingVolumeQuery(db: Db, customerId: string, since: Date) {
  return db
    .selectFrom("card_payments")
    .select([
      sql<string>`coalesce(sum(limit_minor), 0)::text`.as("used"),
      sql<string>`coalesce(sum(limit_minor) FILTER (WHERE status IN ('authorizing', 'challenge', 'provider_error')), 0)::text`.as("pending"),
    ])
    .where("customer_id", "=", customerId)
    .where("created_at", ">", since)
    .where("status", "<>", "failed");
}

export type NewOfferOutcome =
  | { kind: "no_card" }
  | { kind: "over_limit"; used: bigint; pending: bigint }
  | { kind: "created"; offer: OfferRow; used: bigint; pending: bigint };

/**
 * POST /v3/payin/offer in one round trip (it is the hot path of the card dialect): the card must be
 * the customer's, and the offer is inserted only if the rolling volume since `since` leaves room for
 * `amountInLimitMinor` under `limitMinor`. The
 * volume is the same query as rollingVolume's.
 */
export async function insertOfferWithinLimit(
  db: Db,
  row: OfferAmounts & { customer_id: string; card_id: string; now: Date },
  limit: { since: Date; limitMinor: bigint; amountInLimitMinor: bigint },
): Promise<NewOfferOutcome> {
  const { now, ...rest } = row;
  const values: Record<string, unknown> = { ...rest, created_at: now, updated_at: now };
  const columns = Object.keys(values);
  const card = db.selectFrom("card_cards").select("id").where("id", "=", row.card_id).where("customer_id", "=", row.customer_id);
  const { rows } = await sql<OfferRow & { card_found: number; used: string; pending: string; id: string | null }>`
    WITH card AS (${card}),
         vol AS (${rollingVolumeQuery(db, row.customer_id, limit.since)}),
         ins AS (
           INSERT INTO card_offers (${sql.join(columns.map((c) => sql.ref(c)))})
           SELECT ${sql.join(columns.map((c) => sql`${values[c]}`))} FROM card, vol
            WHERE vol.used::numeric + ${limit.amountInLimitMinor.toString()}::numeric <= ${limit.limitMinor.toString()}::numeric
           RETURNING *)
    SELECT (SELECT count(*) FROM card)::int AS card_found, vol.used, vol.pending, ins.* FROM vol LEFT JOIN ins ON true`.execute(db);
  const r = rows[0]!;
  if (r.card_found === 0) return { kind: "no_card" };
  const used = BigInt(r.used);
  const pending = BigInt(r.pending);
  if (r.id === null) return { kind: "over_limit", used, pending };
  const { card_found: _found, used: _used, pending: _pending, ...offer } = r;
  return { kind: "created", offer: offer as OfferRow, used, pending };
}
