// SQL for the card vault. Reads for the API never select pan_enc; only the pay use case does. A deleted
// card (deleted_at set) is in no list and no lookup but the duplicate check, which brings it back.
import type { Selectable } from "kysely";
import type { Db } from "../schema.js";
import type { CardCardsTable } from "../tables/card.js";

export type CardRow = Omit<Selectable<CardCardsTable>, "pan_enc" | "pan_hmac" | "pan_key_id" | "deleted_at">;

const PUBLIC_COLUMNS = [
  "id",
  "customer_id",
  "bin",
  "last4",
  "brand",
  "holder",
  "exp_month",
  "exp_year",
  "billing_address",
  "billing_city",
  "billing_country",
  "billing_zip",
  "billing_state",
  "validation_status",
  "created_at",
] as const;

export interface BillingAddressRow {
  billing_address: string;
  billing_city: string;
  billing_country: string;
  billing_zip: string;
  billing_state: string | null;
}

export async function countCards(db: Db, customerId: string): Promise<number> {
  const r = await db
    .selectFrom("card_cards")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("customer_id", "=", customerId)
    .where("deleted_at", "is", null)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** The customer's card whose PAN HMAC is one of `panHmacs` (one per secret during a rotation), deleted or not. */
export async function findCardByHmac(db: Db, customerId: string, panHmacs: string[]): Promise<(CardRow & { deleted_at: Date | null }) | undefined> {
  return db.selectFrom("card_cards").select([...PUBLIC_COLUMNS, "deleted_at"]).where("customer_id", "=", customerId).where("pan_hmac", "in", panHmacs).executeTakeFirst();
}

/** Brings a deleted card back (saved again), with the billing address just given. */
export async function restoreCard(db: Db, cardId: string, billing: BillingAddressRow): Promise<CardRow> {
  return db.updateTable("card_cards").set({ ...billing, deleted_at: null }).where("id", "=", cardId).returning(PUBLIC_COLUMNS).executeTakeFirstOrThrow();
}

/** Deletes the customer's card; false when it is unknown, another customer's or already deleted. */
export async function deleteCard(db: Db, customerId: string, cardId: string, now: Date): Promise<boolean> {
  const r = await db.updateTable("card_cards").set({ deleted_at: now }).where("id", "=", cardId).where("customer_id", "=", customerId).where("deleted_at", "is", null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function insertCard(
  db: Db,
  row: Omit<Selectable<CardCardsTable>, "id" | "validation_status" | "deleted_at">,
): Promise<CardRow> {
  return db.insertInto("card_cards").values(row).returning(PUBLIC_COLUMNS).executeTakeFirstOrThrow();
}

export async function listCards(db: Db, customerId: string): Promise<CardRow[]> {
  return db.selectFrom("card_cards").select(PUBLIC_COLUMNS).where("customer_id", "=", customerId).where("deleted_at", "is", null).orderBy("id").execute();
}

/** The customer's card, or undefined for an unknown id or another customer's card. */
export async function findCustomerCard(db: Db, customerId: string, cardId: string): Promise<CardRow | undefined> {
  return db.selectFrom("card_cards").select(PUBLIC_COLUMNS).where("id", "=", cardId).where("customer_id", "=", customerId).where("deleted_at", "is", null).executeTakeFirst();
}

export async function updateBillingAddress(db: Db, customerId: string, cardId: string, a: BillingAddressRow): Promise<boolean> {
  const r = await db.updateTable("card_cards").set(a).where("id", "=", cardId).where("customer_id", "=", customerId).where("deleted_at", "is", null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** The ciphertext, for the pay use case only (decrypted just before the acquirer call). */
export async function cardSecret(db: Db, cardId: string): Promise<{ pan_enc: string; exp_month: number; exp_year: number } | undefined> {
  return db.selectFrom("card_cards").select(["pan_enc", "exp_month", "exp_year"]).where("id", "=", cardId).executeTakeFirst();
}
