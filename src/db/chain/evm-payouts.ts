// SQL of the EVM nonce manager (migrations 0023_a, 0052_p). The EVM adapter reaches it through the
// EvmPayoutStore shape it declares (src/adapters/chain/evm/payout-store.ts); main wires this in.
// `allocate` is the one place a nonce is taken: the sender's row is locked FOR UPDATE, the payout and
// its signed transaction are inserted and the counter moves on, all in one short transaction. Signing
// is local CPU work, or with an external signer one HTTP call bounded by RAMPART_EVM_RPC_TIMEOUT_MS: it
// must happen under the lock (the nonce is only known there), and a failed signature rolls the nonce back.
import type { Kysely, Transaction } from "kysely";
import type { DB } from "../schema.js";
import type { EvmPayoutDraft, EvmPayoutRow, EvmPayoutStatus, EvmPayoutStore, EvmSignedTx } from "../../core/chain/evm-payout.js";

async function findPayout(db: Kysely<DB>, chainId: number, payoutKey: string): Promise<EvmPayoutRow | null> {
  const p = await db.selectFrom("evm_payouts").selectAll().where("payout_key", "=", payoutKey).where("chain_id", "=", chainId).executeTakeFirst();
  if (!p) return null;
  const txs = await db.selectFrom("evm_payout_txs").selectAll().where("payout_key", "=", payoutKey).orderBy("created_at", "desc").orderBy("tx_hash").execute();
  return {
    payoutKey: p.payout_key,
    sender: p.sender,
    nonce: BigInt(p.nonce),
    network: p.network,
    asset: p.asset,
    toAddress: p.to_address,
    amountMinor: BigInt(p.amount_minor),
    status: p.status,
    currentTxHash: p.current_tx_hash,
    minedTxHash: p.mined_tx_hash,
    minedBlockNumber: p.mined_block_number === null ? null : BigInt(p.mined_block_number),
    minedBlockHash: p.mined_block_hash,
    feeWei: p.fee_wei === null ? null : BigInt(p.fee_wei),
    replacements: p.replacements,
    reorgs: p.reorgs,
    // The current version first: it is what a re-broadcast sends.
    txs: txs
      .map((t) => ({
        txHash: t.tx_hash,
        rawTx: t.raw_tx,
        maxFeePerGas: BigInt(t.max_fee_per_gas),
        maxPriorityFeePerGas: BigInt(t.max_priority_fee_per_gas),
        createdAt: t.created_at,
        broadcastAt: t.broadcast_at,
        cancels: t.cancels,
      }))
      .sort((a, b) => (a.txHash === p.current_tx_hash ? -1 : b.txHash === p.current_tx_hash ? 1 : 0)),
  };
}

/** One signed version of a payout, recorded before it is broadcast (the first send and each fee bump). */
async function insertSignedTx(trx: Transaction<DB>, payoutKey: string, signed: EvmSignedTx, now: Date): Promise<void> {
  await trx
    .insertInto("evm_payout_txs")
    .values({
      tx_hash: signed.txHash,
      payout_key: payoutKey,
      raw_tx: signed.rawTx,
      max_fee_per_gas: signed.maxFeePerGas,
      max_priority_fee_per_gas: signed.maxPriorityFeePerGas,
      created_at: now,
      broadcast_at: null,
      cancels: signed.cancels ?? false,
    })
    .execute();
}

export function createEvmPayoutStore(db: Kysely<DB>, chainId: number): EvmPayoutStore {
  return {
    find: (payoutKey: string) => findPayout(db, chainId, payoutKey),

    /**
     * Takes the next nonce of `sender` for a new payout and records its signed transaction, or returns
     * the payout already recorded under the key (created: false). `chainNonce` (the node's pending
     * count, read before) moves the counter past nonces used outside Rampart.
     */
    async allocate(
      sender: string,
      chainNonce: bigint,
      draft: EvmPayoutDraft,
      now: Date,
      sign: (nonce: bigint) => Promise<EvmSignedTx>,
    ): Promise<{ created: boolean; payout: EvmPayoutRow }> {
      const created = await db.transaction().execute(async (trx) => {
        await trx
          .insertInto("evm_senders")
          .values({ chain_id: chainId, address: sender, next_nonce: chainNonce })
          .onConflict((oc) => oc.columns(["chain_id", "address"]).doNothing())
          .execute();
        const row = await trx
          .selectFrom("evm_senders")
          .select("next_nonce")
          .where("chain_id", "=", chainId)
          .where("address", "=", sender)
          .forUpdate()
          .executeTakeFirstOrThrow();
        // Under the sender's lock: a payout recorded meanwhile by another process is found here.
        const existing = await trx.selectFrom("evm_payouts").select("payout_key").where("payout_key", "=", draft.payoutKey).executeTakeFirst();
        if (existing) return false;
        const stored = BigInt(row.next_nonce);
        const nonce = stored > chainNonce ? stored : chainNonce;
        const signed = await sign(nonce);
        await trx
          .insertInto("evm_payouts")
          .values({
            payout_key: draft.payoutKey,
            chain_id: chainId,
            sender,
            nonce,
            network: draft.network,
            asset: draft.asset,
            to_address: draft.toAddress,
            amount_minor: draft.amountMinor,
            status: "pending",
            current_tx_hash: signed.txHash,
            created_at: now,
            updated_at: now,
          })
          .execute();
        await insertSignedTx(trx, draft.payoutKey, signed, now);
        await trx
          .updateTable("evm_senders")
          .set({ next_nonce: nonce + 1n })
          .where("chain_id", "=", chainId)
          .where("address", "=", sender)
          .execute();
        return true;
      });
      return { created, payout: (await findPayout(db, chainId, draft.payoutKey))! };
    },

    /** Records a fee-bumped version or a cancel (same nonce) if the payout's current version is still `replaces`. */
    async addReplacement(payoutKey: string, replaces: string, signed: EvmSignedTx, now: Date): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const p = await trx.selectFrom("evm_payouts").select(["current_tx_hash", "status", "replacements"]).where("payout_key", "=", payoutKey).forUpdate().executeTakeFirst();
        if (!p || p.status !== "pending" || p.current_tx_hash !== replaces) return false;
        await insertSignedTx(trx, payoutKey, signed, now);
        await trx
          .updateTable("evm_payouts")
          .set({ current_tx_hash: signed.txHash, replacements: p.replacements + 1, updated_at: now })
          .where("payout_key", "=", payoutKey)
          .execute();
        return true;
      });
    },

    async markBroadcast(txHash: string, now: Date): Promise<void> {
      await db.updateTable("evm_payout_txs").set({ broadcast_at: now }).where("tx_hash", "=", txHash).where("broadcast_at", "is", null).execute();
    },

    /** A version was seen in a block (or in another block after a reorg). */
    async recordMined(payoutKey: string, mined: { txHash: string; blockNumber: bigint; blockHash: string; feeWei: bigint }, now: Date): Promise<void> {
      await db
        .updateTable("evm_payouts")
        .set({ mined_tx_hash: mined.txHash, mined_block_number: mined.blockNumber, mined_block_hash: mined.blockHash, fee_wei: mined.feeWei, updated_at: now })
        .where("payout_key", "=", payoutKey)
        .where("status", "=", "pending")
        .execute();
    },

    /** The block that held the payout is gone: it is tracked (and re-broadcast) again. */
    async recordReorged(payoutKey: string, now: Date): Promise<void> {
      await db
        .updateTable("evm_payouts")
        .set((eb) => ({ mined_tx_hash: null, mined_block_number: null, mined_block_hash: null, fee_wei: null, reorgs: eb("reorgs", "+", 1), updated_at: now }))
        .where("payout_key", "=", payoutKey)
        .where("status", "=", "pending")
        .execute();
    },

    async finish(payoutKey: string, status: Exclude<EvmPayoutStatus, "pending">, now: Date): Promise<void> {
      await db.updateTable("evm_payouts").set({ status, updated_at: now }).where("payout_key", "=", payoutKey).where("status", "=", "pending").execute();
    },
  };
}
