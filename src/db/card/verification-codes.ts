// SQL for the card customers' password-reset and e-mail codes: one live code per customer and purpose.
import type { Selectable } from "kysely";
import type { Db } from "../schema.js";
import type { CardTables } from "../tables/card.js";

type CodePurpose = "password_reset" | "email";
type CodeRow = Selectable<CardTables["card_verification_codes"]>;

/** The customer's code for `purpose`, locked for the check or the resend that follows. */
export async function lockCode(db: Db, customerId: string, purpose: CodePurpose): Promise<CodeRow | undefined> {
  return db.selectFrom("card_verification_codes").selectAll().where("customer_id", "=", customerId).where("purpose", "=", purpose).forUpdate().executeTakeFirst();
}

/** A new code: replaces the hash, expiry and send time; attempts and a running cool-down stay. */
export async function putCode(db: Db, row: { customerId: string; purpose: CodePurpose; codeHash: string; expiresAt: Date; now: Date }): Promise<void> {
  await db
    .insertInto("card_verification_codes")
    .values({ customer_id: row.customerId, purpose: row.purpose, code_hash: row.codeHash, expires_at: row.expiresAt, sent_at: row.now })
    .onConflict((oc) => oc.columns(["customer_id", "purpose"]).doUpdateSet({ code_hash: row.codeHash, expires_at: row.expiresAt, sent_at: row.now }))
    .execute();
}

export async function setCodeAttempts(db: Db, customerId: string, purpose: CodePurpose, attempts: number, lockedUntil: Date | null): Promise<void> {
  await db.updateTable("card_verification_codes").set({ attempts, locked_until: lockedUntil }).where("customer_id", "=", customerId).where("purpose", "=", purpose).execute();
}

export async function deleteCode(db: Db, customerId: string, purpose: CodePurpose): Promise<void> {
  await db.deleteFrom("card_verification_codes").where("customer_id", "=", customerId).where("purpose", "=", purpose).execute();
}

/** The e-mail code with this token hash (locked when forUpdate), with its customer's merchant and e-mail. */
export async function findEmailCodeByHash(db: Db, codeHash: string, forUpdate = false) {
  let q = db
    .selectFrom("card_verification_codes as v")
    .innerJoin("card_customers as c", "c.id", "v.customer_id")
    .select(["v.customer_id", "v.expires_at", "c.merchant_id", "c.email", "c.email_confirmed_at"])
    .where("v.purpose", "=", "email")
    .where("v.code_hash", "=", codeHash);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}
