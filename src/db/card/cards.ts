// SQL for the card vault. Reads for the API never select pan_enc; only the pay use case does.
import type { Selectable } from "kysely";
import type { Db } from "../schema.js";
import type { CardCardsTable } from "../tables/card.js";

export type CardRow = Omit<Selectable<CardCardsTable>, "pan_enc" | "pan_hmac" | "pan_key_id">;

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
  const r = await db.selectFrom("card_cards").select((eb) => eb.fn.countAll<string>().as("n")).where("customer_id", "=", customerId).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** The customer's card whose PAN HMAC is one of `panHmacs` (one per secret during a rotation). */
export async function findCardByHmac(db: Db, customerId: string, panHmacs: string[]): Promise<CardRow | undefined> {
  return db.selectFrom("card_cards").select(PUBLIC_COLUMNS).where("customer_id", "=", customerId).where("pan_hmac", "in", panHmacs).executeTakeFirst();
}

export async function insertCard(
  db: Db,
  row: Omit<Selectable<CardCardsTable>, "id" | "validation_status">,
): Promise<CardRow> {
  return db.insertInto("card_cards").values(row).returning(PUBLIC_COLUMNS).executeTakeFirstOrThrow();
}

export async function listCards(db: Db, customerId: string): Promise<CardRow[]> {
  return db.selectFrom("card_cards").select(PUBLIC_COLUMNS).where("customer_id", "=", customerId).orderBy("id").execute();
}

/** The customer's card, or undefined for an unknown id or another customer's card. */
export async function findCustomerCard(db: Db, customerId: string, cardId: string): Promise<CardRow | undefined> {
  return db.selectFrom("card_cards").select(PUBLIC_COLUMNS).where("id", "=", cardId).where("customer_id", "=", customerId).executeTakeFirst();
}

export async function updateBillingAddress(db: Db, customerId: string, cardId: string, a: BillingAddressRow): Promise<boolean> {
  const r = await db.updateTable("card_cards").set(a).where("id", "=", cardId).where("customer_id", "=", customerId).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** The ciphertext, for the pay use case only (decrypted just before the acquirer call). */
export async function cardSecret(db: Db, cardId: string): Promise<{ pan_enc: string; exp_month: number; exp_year: number } | undefined> {
  return db.selectFrom("card_cards").select(["pan_enc", "exp_month", "exp_year"]).where("id", "=", cardId).executeTakeFirst();
}
