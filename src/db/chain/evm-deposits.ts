// SQL of trader deposits on an EVM chain (migration 0045_a): deposit address allocation, the watcher's
// cursor and scanned block hashes, and the deposits it saw. The watcher's use case
// (app/trading/deposit-watcher.ts) decides; these functions only read and write rows.
import type { Insertable, Transaction, Updateable } from "kysely";
import type { EvmDepositStatus } from "../../core/chain/evm-deposit.js";
import type { Db, DB } from "../schema.js";
import type { EvmTables } from "../tables/evm.js";

interface DepositAddress {
  address: string;
  childIndex: number;
}

export async function findDepositAddress(db: Db, xpub: string, traderId: string): Promise<DepositAddress | null> {
  const row = await db.selectFrom("evm_deposit_addresses").select(["address", "child_index"]).where("xpub", "=", xpub).where("trader_id", "=", traderId).executeTakeFirst();
  return row ? { address: row.address, childIndex: row.child_index } : null;
}

/**
 * The trader's address under `xpub`, allocated on first call: the key's counter row is locked FOR
 * UPDATE, so concurrent first calls (for one trader or many) take turns; the second call for a trader
 * finds the first one's row once the lock is its. Indexes are handed out without gaps (a wallet that
 * scans children in order finds every one); the unique indexes back this up.
 */
export async function allocateDepositAddress(
  trx: Transaction<DB>,
  a: { xpub: string; traderId: string; derive: (index: number) => string; now: Date },
): Promise<DepositAddress> {
  await trx.insertInto("evm_deposit_keys").values({ xpub: a.xpub, next_index: 0 }).onConflict((oc) => oc.column("xpub").doNothing()).execute();
  const key = await trx.selectFrom("evm_deposit_keys").select("next_index").where("xpub", "=", a.xpub).forUpdate().executeTakeFirstOrThrow();
  const existing = await findDepositAddress(trx, a.xpub, a.traderId);
  if (existing) return existing;
  const address = a.derive(key.next_index);
  await trx.insertInto("evm_deposit_addresses").values({ xpub: a.xpub, trader_id: a.traderId, child_index: key.next_index, address, created_at: a.now }).execute();
  await trx.updateTable("evm_deposit_keys").set({ next_index: key.next_index + 1 }).where("xpub", "=", a.xpub).execute();
  return { address, childIndex: key.next_index };
}

/** Which of `addresses` (lower-case) are live traders' deposit addresses, and whose. */
export async function tradersByAddress(db: Db, addresses: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const unique = [...new Set(addresses)];
  // Chunks keep the statement's parameter count bounded whatever the range held.
  for (let i = 0; i < unique.length; i += 1000) {
    // A test trader's play-money ledger never takes a live deposit: its address (none is handed out to
    // one any more, app/trading/deposit-address.ts) is not the trader's to the watcher.
    const rows = await db
      .selectFrom("evm_deposit_addresses")
      .innerJoin("traders", "traders.id", "evm_deposit_addresses.trader_id")
      .select(["evm_deposit_addresses.address", "evm_deposit_addresses.trader_id"])
      .where("evm_deposit_addresses.address", "in", unique.slice(i, i + 1000))
      .where("traders.test", "=", false)
      .execute();
    for (const r of rows) out.set(r.address, r.trader_id);
  }
  return out;
}

export async function readCursor(db: Db, chainId: number, forUpdate = false): Promise<bigint | null> {
  let q = db.selectFrom("evm_deposit_cursors").select("next_block").where("chain_id", "=", chainId);
  if (forUpdate) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  return row ? BigInt(row.next_block) : null;
}

/** Creates the cursor at `next` unless one exists (a concurrent first run keeps the first one's). */
export async function initCursor(trx: Transaction<DB>, chainId: number, next: bigint, now: Date): Promise<void> {
  await trx.insertInto("evm_deposit_cursors").values({ chain_id: chainId, next_block: next, updated_at: now }).onConflict((oc) => oc.column("chain_id").doNothing()).execute();
}

export async function setCursor(trx: Transaction<DB>, chainId: number, next: bigint, now: Date): Promise<void> {
  await trx.updateTable("evm_deposit_cursors").set({ next_block: next, updated_at: now }).where("chain_id", "=", chainId).execute();
}

/** The scanned blocks still inside the finality window, newest first. */
export async function storedBlocks(db: Db, chainId: number): Promise<{ number: bigint; hash: string }[]> {
  const rows = await db.selectFrom("evm_deposit_blocks").select(["block_number", "block_hash"]).where("chain_id", "=", chainId).orderBy("block_number", "desc").execute();
  return rows.map((r) => ({ number: BigInt(r.block_number), hash: r.block_hash }));
}

export async function insertBlocks(trx: Transaction<DB>, chainId: number, blocks: readonly { number: bigint; hash: string }[]): Promise<void> {
  if (blocks.length === 0) return;
  await trx
    .insertInto("evm_deposit_blocks")
    .values(blocks.map((b) => ({ chain_id: chainId, block_number: b.number, block_hash: b.hash })))
    .onConflict((oc) => oc.columns(["chain_id", "block_number"]).doUpdateSet((eb) => ({ block_hash: eb.ref("excluded.block_hash") })))
    .execute();
}

/** Forgets blocks from `from` up (a reorg replaced them) or below `below` (final: never checked again). */
export async function deleteBlocks(trx: Transaction<DB>, chainId: number, range: { from: bigint } | { below: bigint }): Promise<void> {
  const q = trx.deleteFrom("evm_deposit_blocks").where("chain_id", "=", chainId);
  await ("from" in range ? q.where("block_number", ">=", range.from.toString()) : q.where("block_number", "<", range.below.toString())).execute();
}

export interface DepositRow {
  id: string;
  txHash: string;
  logIndex: number;
  blockNumber: bigint;
  blockHash: string;
  traderId: string;
  asset: string;
  amountBase: bigint;
  decimals: number;
  amountMinor: bigint | null;
  status: EvmDepositStatus;
  parkReason: string | null;
  credits: number;
  createdAt: Date;
}

type Row = EvmTables["evm_deposits"];
const toDeposit = (r: {
  id: string;
  tx_hash: string;
  log_index: number;
  block_number: string;
  block_hash: string;
  trader_id: string;
  asset: string;
  amount_base: string;
  decimals: number;
  amount_minor: string | null;
  status: EvmDepositStatus;
  park_reason: string | null;
  credits: number;
  created_at: Date;
}): DepositRow => ({
  id: r.id,
  txHash: r.tx_hash,
  logIndex: r.log_index,
  blockNumber: BigInt(r.block_number),
  blockHash: r.block_hash,
  traderId: r.trader_id,
  asset: r.asset,
  amountBase: BigInt(r.amount_base),
  decimals: r.decimals,
  amountMinor: r.amount_minor === null ? null : BigInt(r.amount_minor),
  status: r.status,
  parkReason: r.park_reason,
  credits: r.credits,
  createdAt: r.created_at,
});

/** Inserts a deposit unless its (chain, tx hash, log index) exists; returns the row now on record, locked. */
export async function insertOrLockDeposit(
  trx: Transaction<DB>,
  row: Omit<Insertable<Row>, "credits" | "created_at" | "updated_at"> & { now: Date },
): Promise<{ inserted: boolean; deposit: DepositRow }> {
  const { now, ...values } = row;
  const inserted = await trx
    .insertInto("evm_deposits")
    .values({ ...values, created_at: now, updated_at: now })
    .onConflict((oc) => oc.columns(["chain_id", "tx_hash", "log_index"]).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { inserted: true, deposit: toDeposit(inserted) };
  const existing = await trx
    .selectFrom("evm_deposits")
    .selectAll()
    .where("chain_id", "=", row.chain_id)
    .where("tx_hash", "=", row.tx_hash)
    .where("log_index", "=", row.log_index)
    .forUpdate()
    .executeTakeFirstOrThrow();
  return { inserted: false, deposit: toDeposit(existing) };
}

/** Deposits still standing (credited or parked) in blocks from `from` up, locked: a reorg replaced them. */
export async function depositsFromBlock(trx: Transaction<DB>, chainId: number, from: bigint): Promise<DepositRow[]> {
  const rows = await trx
    .selectFrom("evm_deposits")
    .selectAll()
    .where("chain_id", "=", chainId)
    .where("block_number", ">=", from.toString())
    .where("status", "in", ["credited", "parked"])
    .orderBy("id")
    .forUpdate()
    .execute();
  return rows.map(toDeposit);
}

/** Deposits whose reversal the trader's free deposit could not cover yet, oldest first, locked, skipping ones another run holds. */
export async function reversalsDue(trx: Transaction<DB>, chainId: number, limit: number): Promise<DepositRow[]> {
  const rows = await trx
    .selectFrom("evm_deposits")
    .selectAll()
    .where("chain_id", "=", chainId)
    .where("status", "=", "reversal_due")
    .orderBy("block_number")
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
  return rows.map(toDeposit);
}

export async function updateDeposit(
  trx: Transaction<DB>,
  id: string,
  patch: Pick<Updateable<Row>, "status" | "block_number" | "block_hash" | "credits" | "park_reason" | "amount_minor"> & { updated_at: Date },
): Promise<void> {
  await trx.updateTable("evm_deposits").set(patch).where("id", "=", id).execute();
}

/** A trader's deposits seen on chain, newest block first. */
export async function listTraderDeposits(db: Db, traderId: string, limit: number): Promise<DepositRow[]> {
  const rows = await db.selectFrom("evm_deposits").selectAll().where("trader_id", "=", traderId).orderBy("block_number", "desc").orderBy("log_index", "desc").limit(limit).execute();
  return rows.map(toDeposit);
}
