// SQL for traders, their API keys and the banks catalogue.
import { sql } from "kysely";
import type { Db } from "../schema.js";

export async function insertTrader(db: Db, row: { id: string; name: string; test?: boolean }): Promise<void> {
  await db.insertInto("traders").values(row).onConflict((oc) => oc.column("id").doNothing()).execute();
}

export async function insertTraderKey(db: Db, row: { id: string; traderId: string; keyHash: Buffer; label?: string }): Promise<void> {
  await db
    .insertInto("trader_keys")
    .values({ id: row.id, trader_id: row.traderId, key_hash: row.keyHash, label: row.label ?? "" })
    .onConflict((oc) => oc.column("id").doNothing())
    .execute();
}

export async function findActiveTraderKey(db: Db, id: string) {
  return db
    .selectFrom("trader_keys")
    .innerJoin("traders", "traders.id", "trader_keys.trader_id")
    .select(["trader_keys.id", "trader_keys.trader_id", "trader_keys.key_hash"])
    .where("trader_keys.id", "=", id)
    .where("trader_keys.revoked_at", "is", null)
    .where("traders.enabled", "=", true)
    .executeTakeFirst();
}

export async function upsertBank(db: Db, row: { code: string; name: string; methods: string[]; fiatCurrency: string }): Promise<void> {
  await db
    .insertInto("trading_banks")
    .values({ code: row.code, name: row.name, methods: row.methods, fiat_currency: row.fiatCurrency })
    .onConflict((oc) => oc.column("code").doNothing())
    .execute();
}

export async function findBank(db: Db, code: string) {
  return db.selectFrom("trading_banks").selectAll().where("code", "=", code).where("enabled", "=", true).executeTakeFirst();
}

/** Where a trader's deposit lives in the ledger: the account (ownerPrefix + trader id, asset, purpose). */
interface TraderDepositAccount {
  ownerPrefix: string;
  asset: string;
  purpose: string;
}

/**
 * Banks that can take a pay-in now: enabled, in the currency, with an enabled requisite (of a method
 * switched on in the catalogue, under its
 * open pay-in allowance) of an enabled trader whose free deposit (posted − held) covers
 * `minCryptoMinor`; one row per (bank, method) such requisites offer.
 */
export async function listUsableBanks(
  db: Db,
  filter: { fiatCurrency: string; banks: string[] | null; methods: string[] | null; deposit: TraderDepositAccount; minCryptoMinor: bigint },
) {
  let q = db
    .selectFrom("trading_banks as b")
    // A requisite or trader held for its dispute rate cannot take a pay-in, so its bank is not usable.
    .innerJoin("trading_requisites as r", (j) => j.onRef("r.bank_code", "=", "b.code").on("r.enabled", "=", true).on("r.risk_held_at", "is", null))
    .innerJoin("traders as t", (j) => j.onRef("t.id", "=", "r.trader_id").on("t.enabled", "=", true).on("t.risk_held_at", "is", null))
    .innerJoin("trading_methods as m", (j) => j.onRef("m.code", "=", "r.method").on("m.enabled", "=", true))
    .innerJoin("ledger_accounts as a", (j) =>
      j
        .on("a.owner", "=", sql<string>`${filter.deposit.ownerPrefix} || t.id`)
        .on("a.asset", "=", filter.deposit.asset)
        .on("a.purpose", "=", filter.deposit.purpose),
    )
    .innerJoin("ledger_account_balances as lb", "lb.account_id", "a.id")
    .select(["b.code", "b.name", "b.methods", "b.fiat_currency", "r.method"])
    .distinct()
    .where("b.enabled", "=", true)
    .where("b.fiat_currency", "=", filter.fiatCurrency)
    .where("r.fiat_currency", "=", filter.fiatCurrency)
    .where(sql<boolean>`lb.posted - lb.pending_debits >= ${filter.minCryptoMinor.toString()}::int8`)
    .where(
      sql<boolean>`(SELECT count(*) FROM (SELECT 1 FROM trading_payins p WHERE p.requisite_id = r.id AND p.status = 'active' LIMIT r.max_open_payins) o) < r.max_open_payins`,
    );
  if (filter.banks) q = q.where("b.code", "in", filter.banks.length ? filter.banks : [""]);
  if (filter.methods) q = q.where("r.method", "in", filter.methods.length ? filter.methods : [""]);
  return q.orderBy("b.code").execute();
}

export async function listTraders(db: Db, limit: number) {
  return db.selectFrom("traders").select(["id", "name", "enabled", "test", "created_at"]).orderBy("created_at").orderBy("id").limit(limit).execute();
}

export async function findTrader(db: Db, id: string) {
  return db.selectFrom("traders").select(["id", "name", "enabled", "test", "created_at"]).where("id", "=", id).executeTakeFirst();
}
