// Counts for the operator dashboard's overview: live tenants only (a test twin is its merchant's test mode).
import { sql } from "kysely";
import type { Db } from "./schema.js";

export async function countTenants(db: Db): Promise<{ merchants: number; stores: number; apiKeys: number }> {
  const r = await sql<{ merchants: string; stores: string; api_keys: string }>`
    select (select count(*) from merchants where test_of is null) as merchants,
           (select count(*) from stores where test_of is null) as stores,
           (select count(*) from api_keys where revoked_at is null) as api_keys`.execute(db);
  const row = r.rows[0]!;
  return { merchants: Number(row.merchants), stores: Number(row.stores), apiKeys: Number(row.api_keys) };
}
