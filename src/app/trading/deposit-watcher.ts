// The trader deposit watcher (RAMPART_CHAIN=evm with RAMPART_EVM_DEPOSIT_XPUB), one bounded run per
// call: (1) reversals that were short of free deposit are tried again; (2) a reorg is looked for — the
// newest scanned block whose hash the node no longer has — and, if found, every deposit from the fork
// up is reversed (credited) or dropped (parked), and the cursor goes back to the fork; otherwise
// (3) the next range of confirmed blocks (at most blocksPerRun, none above head − confirmations + 1)
// is read and each transfer to a deposit address is recorded and, when creditable, credited.
//
// The chain is read before each database transaction, never inside one. Each transaction starts by
// locking the cursor row and checks that the cursor is still where the reads started: a second watcher
// that scanned the same range finds it moved and writes nothing. The (chain, tx hash, log index)
// unique index backs this up. Scanned block hashes are kept for the finality window: a deposit
// credited at `confirmations` whose block leaves the chain before `finalityBlocks` is reversed by a
// balanced reversal transfer; if its transaction is mined again, the watcher finds it again and
// credits it again (a new ledger transfer).
import type { Transaction } from "kysely";
import { EVM_DEPOSIT_MACHINE, depositToLedgerMinor, type EvmDepositStatus } from "../../core/chain/evm-deposit.js";
import { AppError } from "../../core/shared/errors.js";
import {
  type DepositRow,
  deleteBlocks,
  depositsFromBlock,
  initCursor,
  insertBlocks,
  insertOrLockDeposit,
  readCursor,
  reversalsDue,
  setCursor,
  storedBlocks,
  tradersByAddress,
  updateDeposit,
} from "../../db/chain/evm-deposits.js";
import type { DB } from "../../db/schema.js";
import type { EvmDepositConfig } from "../../config/evm-deposit-config.js";
import type { Deps } from "../deps.js";
import { postTransfer, reverseTransfer } from "../ledger/ledger.js";
import type { ChainDepositSource, ChainTransfer } from "../ports.js";
import { TRADING_CRYPTO } from "./amounts.js";
import { openTraderAccounts, traderDeposit } from "./ledger-postings.js";
import { platformAccount } from "../../core/ledger/accounts.js";
import { platformOwnerForTrader } from "../merchants/test-mode.js";

/** Larger single deposits are parked for an operator: keeps every balance far inside bigint columns. */
const MAX_AUTO_CREDIT_MINOR = 1_000_000_000n * 10n ** BigInt(TRADING_CRYPTO.decimals);
const REVERSALS_PER_RUN = 50;

const creditId = (d: DepositRow, n: number) => `evm_deposit:${d.id}:credit:${n}`;

type Decision = { status: "credited"; minor: bigint } | { status: "parked"; reason: string };

/** A transfer is credited only in the asset the trader deposit holds, and only at an exact amount. */
function decide(t: ChainTransfer): Decision {
  if (t.asset !== TRADING_CRYPTO.asset) return { status: "parked", reason: `${t.asset}: the trader deposit holds ${TRADING_CRYPTO.asset} only` };
  const amount = depositToLedgerMinor(t.amountBase, t.decimals, TRADING_CRYPTO.decimals, MAX_AUTO_CREDIT_MINOR);
  return amount.kind === "exact" ? { status: "credited", minor: amount.minor } : { status: "parked", reason: amount.reason };
}

async function credit(deps: Deps, trx: Transaction<DB>, d: DepositRow, minor: bigint, n: number): Promise<void> {
  await openTraderAccounts(trx, d.traderId);
  await postTransfer(
    trx,
    {
      id: creditId(d, n),
      code: "trader_chain_deposit",
      ref: { type: "trader", id: d.traderId },
      entries: [
        { account: platformAccount(await platformOwnerForTrader(deps, d.traderId, trx), TRADING_CRYPTO.asset, "chain_clearing"), amountMinor: -minor },
        { account: traderDeposit(d.traderId), amountMinor: minor },
      ],
    },
    deps.clock.now(),
  );
}

/** Reverses the deposit's latest credit; false when the trader's free deposit cannot cover it yet. */
async function reverseCredit(deps: Deps, trx: Transaction<DB>, d: DepositRow): Promise<boolean> {
  try {
    await reverseTransfer(trx, { id: `evm_deposit:${d.id}:reversal:${d.credits}`, originalId: creditId(d, d.credits), code: "trader_chain_deposit_reversal" }, deps.clock.now());
    return true;
  } catch (err) {
    // The ledger refuses before writing anything, so the transaction goes on.
    if (err instanceof AppError && err.code === "insufficient_funds") {
      deps.logger.warn({ depositId: d.id, traderId: d.traderId }, "a reorged deposit's reversal waits: the trader's free deposit does not cover it");
      return false;
    }
    throw err;
  }
}

async function moveTo(deps: Deps, trx: Transaction<DB>, d: DepositRow, action: Parameters<typeof EVM_DEPOSIT_MACHINE.next>[1], patch: { credits?: number; block?: { number: bigint; hash: string }; parkReason?: string | null; amountMinor?: bigint | null } = {}): Promise<EvmDepositStatus> {
  const status = EVM_DEPOSIT_MACHINE.next(d.status, action);
  await updateDeposit(trx, d.id, {
    status,
    updated_at: deps.clock.now(),
    ...(patch.credits !== undefined ? { credits: patch.credits } : {}),
    ...(patch.block ? { block_number: patch.block.number, block_hash: patch.block.hash } : {}),
    ...(patch.parkReason !== undefined ? { park_reason: patch.parkReason } : {}),
    ...(patch.amountMinor !== undefined ? { amount_minor: patch.amountMinor } : {}),
  });
  return status;
}

/** A deposit whose block left the chain: its credit reversed (or due), a parked one dropped. */
async function unwind(deps: Deps, trx: Transaction<DB>, d: DepositRow): Promise<void> {
  if (d.status === "parked") {
    await moveTo(deps, trx, d, "drop");
    return;
  }
  const due = { ...d, status: await moveTo(deps, trx, d, "reorg") };
  const reversed = await reverseCredit(deps, trx, due);
  if (reversed) await moveTo(deps, trx, due, "reverse");
  deps.metrics.chainDeposit(trx, reversed ? "reversed" : "reversal_due");
}

async function retryReversals(deps: Deps, chainId: number): Promise<number> {
  return deps.database.db.transaction().execute(async (trx) => {
    let done = 0;
    for (const d of await reversalsDue(trx, chainId, REVERSALS_PER_RUN)) {
      if (await reverseCredit(deps, trx, d)) {
        await moveTo(deps, trx, d, "reverse");
        deps.metrics.chainDeposit(trx, "reversed");
        done++;
      }
    }
    return done;
  });
}

/**
 * The first scanned block the node has replaced (and the hash it had); null when the newest still
 * matches; "behind" when the node has not reached a scanned height (a lagging node behind the
 * failover): that is no evidence of a reorg, so the run waits rather than reversing anything.
 */
async function findFork(deps: Deps, source: ChainDepositSource): Promise<{ number: bigint; hash: string } | "behind" | null> {
  const stored = await storedBlocks(deps.database.db, source.chainId);
  let fork: { number: bigint; hash: string } | null = null;
  for (const b of stored) {
    const now = await source.blockHash(b.number);
    if (now === null) return "behind";
    if (now === b.hash) break;
    // Deeper than the window (every stored block replaced): the oldest one kept is as far as it goes.
    fork = b;
  }
  return fork;
}

async function rewind(deps: Deps, chainId: number, fork: { number: bigint; hash: string }): Promise<void> {
  await deps.database.db.transaction().execute(async (trx) => {
    const cursor = await readCursor(trx, chainId, true);
    // Another watcher handled this fork already (the stale block is gone or was scanned again).
    const still = (await storedBlocks(trx, chainId)).find((b) => b.number === fork.number);
    if (cursor === null || still?.hash !== fork.hash) return;
    const dropped = await depositsFromBlock(trx, chainId, fork.number);
    for (const d of dropped) await unwind(deps, trx, d);
    await deleteBlocks(trx, chainId, { from: fork.number });
    await setCursor(trx, chainId, fork.number, deps.clock.now());
    deps.logger.warn({ chainId, fork: fork.number.toString(), deposits: dropped.length }, "deposit watcher: a reorg replaced scanned blocks; rescanning from the fork");
  });
}

/** Records one transfer to a deposit address, crediting it (again) when creditable. */
async function record(deps: Deps, trx: Transaction<DB>, chainId: number, t: ChainTransfer, traderId: string): Promise<void> {
  const decision = decide(t);
  const { inserted, deposit } = await insertOrLockDeposit(trx, {
    id: deps.ids.prefixed("dep"),
    chain_id: chainId,
    tx_hash: t.txHash,
    log_index: t.logIndex,
    block_number: t.blockNumber,
    block_hash: t.blockHash,
    address: t.to,
    trader_id: traderId,
    asset: t.asset,
    amount_base: t.amountBase,
    decimals: t.decimals,
    amount_minor: decision.status === "credited" ? decision.minor : null,
    status: decision.status,
    park_reason: decision.status === "parked" ? decision.reason : null,
    now: deps.clock.now(),
  });
  const block = { number: t.blockNumber, hash: t.blockHash };
  if (inserted) {
    if (decision.status === "credited") {
      await credit(deps, trx, deposit, decision.minor, 1);
      await updateDeposit(trx, deposit.id, { credits: 1, updated_at: deps.clock.now() });
    }
    deps.metrics.chainDeposit(trx, decision.status);
    return;
  }
  // Mined again after a reorg took it away.
  if (deposit.status === "reversal_due") {
    // Its first credit was never taken back: it simply stands again.
    await moveTo(deps, trx, deposit, "reappear", { block });
  } else if (deposit.status === "reorged") {
    if (decision.status === "credited") {
      await credit(deps, trx, deposit, decision.minor, deposit.credits + 1);
      await moveTo(deps, trx, deposit, "reappear", { block, credits: deposit.credits + 1, amountMinor: decision.minor, parkReason: null });
    } else {
      await moveTo(deps, trx, deposit, "repark", { block, parkReason: decision.reason });
    }
    deps.metrics.chainDeposit(trx, decision.status);
  }
  // credited or parked: already on record, nothing to do.
}

/** Each block's parent is the block before it, the first one's is `parentHash` (null: not known). */
function linked(parentHash: string | null, blocks: readonly { hash: string; parentHash: string }[]): boolean {
  let parent = parentHash;
  for (const b of blocks) {
    if (parent !== null && b.parentHash !== parent) return false;
    parent = b.hash;
  }
  return true;
}

async function scanNext(deps: Deps, source: ChainDepositSource, config: EvmDepositConfig): Promise<number> {
  const { chainId } = source;
  const confirmedHead = (await source.head()) - BigInt(config.confirmations) + 1n;
  if (confirmedHead < 0n) return 0;
  let from = await readCursor(deps.database.db, chainId);
  if (from === null) {
    await deps.database.db.transaction().execute((trx) => initCursor(trx, chainId, config.startBlock ?? confirmedHead, deps.clock.now()));
    from = (await readCursor(deps.database.db, chainId))!;
  }
  if (from > confirmedHead) return 0;
  const to = from + BigInt(config.blocksPerRun) - 1n < confirmedHead ? from + BigInt(config.blocksPerRun) - 1n : confirmedHead;
  const { blocks, transfers } = await source.scan(from, to);
  const owners = await tradersByAddress(deps.database.db, transfers.map((t) => t.to));
  const ours = transfers.filter((t) => owners.has(t.to)).sort((a, b) => (a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1));
  const wrote = await deps.database.db.transaction().execute(async (trx) => {
    // Another watcher took this range first: it is booked, or will be, once.
    if ((await readCursor(trx, chainId, true)) !== from) return false;
    // The range must continue the scanned chain: read across a reorg, it is left for the next run,
    // whose fork check then finds the stale block below it.
    const below = (await storedBlocks(trx, chainId))[0];
    if (!linked(below?.number === from - 1n ? below.hash : null, blocks)) return false;
    await insertBlocks(trx, chainId, blocks);
    for (const t of ours) await record(deps, trx, chainId, t, owners.get(t.to)!);
    await setCursor(trx, chainId, to + 1n, deps.clock.now());
    await deleteBlocks(trx, chainId, { below: to + 1n - BigInt(config.finalityBlocks) });
    return true;
  });
  return wrote ? blocks.length : 0;
}

/** One watcher run; returns the blocks scanned plus deposits reversed (0: nothing to do now). */
export async function watchDeposits(deps: Deps): Promise<number> {
  const source = deps.ports.chainDeposits;
  const config = deps.config.ports.evmDeposits;
  if (!source || !config) return 0;
  const reversed = await retryReversals(deps, source.chainId);
  const fork = await findFork(deps, source);
  if (fork === "behind") {
    deps.logger.warn({ chainId: source.chainId }, "deposit watcher: the node is behind the blocks already scanned; waiting for it");
    return reversed;
  }
  if (fork) {
    await rewind(deps, source.chainId, fork);
    return reversed + 1;
  }
  return reversed + (await scanNext(deps, source, config));
}
