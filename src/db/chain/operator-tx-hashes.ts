// SQL of operator_tx_hashes (migration 0058_t): one use per recorded transaction hash, decided by the
// primary key (chain, tx_hash) inside the caller's transaction.
import type { Db } from "../schema.js";

/** Takes the hash for `usedBy`; answers who holds it when another payout already does (nothing written then). */
export async function claimOperatorTxHash(db: Db, row: { chain: string; txHash: string; usedBy: string; at: Date }): Promise<{ ok: true } | { ok: false; usedBy: string }> {
  const inserted = await db
    .insertInto("operator_tx_hashes")
    .values({ chain: row.chain, tx_hash: row.txHash, used_by: row.usedBy, created_at: row.at })
    .onConflict((oc) => oc.columns(["chain", "tx_hash"]).doNothing())
    .returning("used_by")
    .executeTakeFirst();
  if (inserted) return { ok: true };
  // The conflict's row is committed or ours (the insert waited for any other), so it is there to read.
  const held = await operatorTxHashUser(db, row.chain, row.txHash);
  if (held === undefined) throw new Error(`operator_tx_hashes: the row that conflicted with ${row.txHash} is gone`);
  return held === row.usedBy ? { ok: true } : { ok: false, usedBy: held };
}

/** Who the hash is recorded for, if anyone (read before the claim too: the claim still decides a race). */
export async function operatorTxHashUser(db: Db, chain: string, txHash: string): Promise<string | undefined> {
  return (await db.selectFrom("operator_tx_hashes").select("used_by").where("chain", "=", chain).where("tx_hash", "=", txHash).executeTakeFirst())?.used_by;
}
