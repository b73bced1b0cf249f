// SQL for merchants' trading settings.
import type { Insertable, Selectable, Transaction } from "kysely";
import type { DB, Db } from "../schema.js";
import type { TradingMerchantSettingsTable } from "../tables/trading.js";


export type TradingSettingsRow = Selectable<TradingMerchantSettingsTable>;

export async function findTradingSettings(db: Db, merchantId: string): Promise<TradingSettingsRow | undefined> {
  return db.selectFrom("trading_merchant_settings").selectAll().where("merchant_id", "=", merchantId).executeTakeFirst();
}

/** The settings of several merchants in one read, by merchant id. */
export async function findTradingSettingsOf(db: Db, merchantIds: readonly string[]): Promise<Map<string, TradingSettingsRow>> {
  if (merchantIds.length === 0) return new Map();
  const rows = await db.selectFrom("trading_merchant_settings").selectAll().where("merchant_id", "in", [...new Set(merchantIds)]).execute();
  return new Map(rows.map((r) => [r.merchant_id, r]));
}

/** Inserts or replaces a merchant's settings (operator and sandbox seed). */
export async function upsertTradingSettings(db: Db, row: Insertable<TradingMerchantSettingsTable>, replace: boolean): Promise<void> {
  await db
    .insertInto("trading_merchant_settings")
    .values(row)
    .onConflict((oc) => {
      const c = oc.column("merchant_id");
      if (!replace) return c.doNothing();
      const { merchant_id: _id, created_at: _c, ...rest } = row;
      return c.doUpdateSet(rest);
    })
    .execute();
}

/** The merchant's settings row locked for a read-modify-write (a partial update). */
export async function lockTradingSettings(trx: Transaction<DB>, merchantId: string): Promise<TradingSettingsRow | undefined> {
  return trx.selectFrom("trading_merchant_settings").selectAll().where("merchant_id", "=", merchantId).forUpdate().executeTakeFirst();
}
