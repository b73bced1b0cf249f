// The real chain for EVM networks (RAMPART_CHAIN=evm): Rampart's "ethereum" network (the native coin)
// and "erc20" (the tokens of RAMPART_EVM_TOKENS), paid from one hot wallet whose key only this process
// holds in memory, or an external signer holds (tx-signer.ts). Exactly once by payout key:
//  - send: under the sender's row lock (EvmPayoutStore.allocate) a nonce is taken and the transaction is
//    signed and recorded; only then is it broadcast. A crash in between leaves the signed bytes on
//    record, and the next status poll broadcasts those same bytes: one nonce, one payout.
//  - status: looks up every signed version's receipt; counts confirmations to the configured depth; a
//    version that vanished from its block (a reorg) is tracked again and the same bytes re-broadcast;
//    a version priced under the next base fee, or pending too long, is replaced by one with the same
//    nonce and higher fees (never above the cap). A reverted transaction is a failed payout (its gas
//    reported: it was paid).
//  - cancel (an operator's, for a payout that never confirms): a 0-value transfer to the hot wallet at
//    the same nonce, with a higher fee. Whichever version is mined decides: the payout (confirmed as
//    usual) or the cancel, which fails the payout only once at the confirmation depth, when the
//    payout's nonce is spent for good and it can never be mined.
import type { Logger } from "pino";
import { type Address, type Hex, TransactionReceiptNotFoundError, encodeFunctionData, erc20Abi, getAddress, keccak256 } from "viem";
import type { ChainPayout, ChainPayoutStatus, Clock, HotWalletBalance } from "../../../app/ports.js";
import type { EvmConfig } from "../../../config/evm-config.js";
import type { EvmPayoutRow, EvmPayoutStore, EvmSignedTx } from "../../../core/chain/evm-payout.js";
import { checkAddress } from "../../../core/money/addresses.js";
import { AssetRegistry } from "../../../core/money/assets.js";
import { type Fees, cancelFees, initialFees, isStuck, replacementFees } from "./fees.js";
import { type EvmRpc, createEvmRpc } from "./rpc.js";
import { createTxSigner } from "./tx-signer.js";

const EVM_NETWORKS = ["ethereum", "erc20"] as const;
const NATIVE_ASSET = "ETH";
/** The decimals Rampart counts each asset in: a payout's amountMinor is in these. */
const ASSETS = new AssetRegistry();
/** Gas estimates are padded: state can change between the estimate and the block. */
const GAS_MARGIN_PERCENT = 120n;
/** A plain transfer of the native coin (the cancel's self-transfer) uses exactly this. */
const TRANSFER_GAS = 21_000n;

interface EvmChainOptions {
  config: EvmConfig;
  store: EvmPayoutStore;
  clock: Clock;
  logger: Logger;
  /** Tests only: runs after the signed transaction is recorded and before it is broadcast. */
  beforeBroadcast?: (payoutKey: string) => Promise<void>;
}

export interface EvmChain extends ChainPayout {
  readonly hotWallet: Address;
  readonly rpc: EvmRpc;
}

interface Transfer {
  to: Address;
  value: bigint;
  data?: Hex;
}

export function createEvmChain(opts: EvmChainOptions): EvmChain {
  const { config, store, clock, logger } = opts;
  const account = createTxSigner(config);
  const rpc = createEvmRpc(config);
  const policy = { capWei: config.maxFeePerGasCapWei, priorityFeeWei: config.priorityFeeWei };

  /** What a payout's transaction carries, or why it can never be sent. */
  function transferFor(network: string, asset: string, address: string, amountMinor: bigint): Transfer | { refused: string } {
    if (!(EVM_NETWORKS as readonly string[]).includes(network)) return { refused: `the EVM chain does not serve the network ${network}` };
    const check = checkAddress("ethereum", address);
    if (!check.ok) return { refused: `invalid address: ${check.reason}` };
    if (amountMinor <= 0n) return { refused: "the amount must be positive" };
    const to = getAddress(address);
    if (network === "ethereum") {
      if (asset !== NATIVE_ASSET) return { refused: `the ethereum network carries ${NATIVE_ASSET}, not ${asset}` };
      return { to, value: amountMinor };
    }
    const token = config.tokens[asset];
    if (!token) return { refused: `no token contract configured for ${asset} (RAMPART_EVM_TOKENS)` };
    return { to: getAddress(token), value: 0n, data: encodeFunctionData({ abi: erc20Abi, functionName: "transfer", args: [to, amountMinor] }) };
  }

  async function nextBaseFee(): Promise<bigint> {
    const block = await rpc.client.getBlock({ blockTag: "pending" }).catch(() => rpc.client.getBlock({ blockTag: "latest" }));
    return block.baseFeePerGas ?? 0n;
  }

  async function sign(t: Transfer, gas: bigint, nonce: bigint, fees: Fees): Promise<EvmSignedTx> {
    const rawTx = await account.sign({
      chainId: config.chainId,
      nonce,
      to: t.to,
      value: t.value,
      ...(t.data ? { data: t.data } : {}),
      gas,
      maxFeePerGas: fees.maxFeePerGas,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
    });
    return { txHash: keccak256(rawTx), rawTx, ...fees };
  }

  /** Broadcasts recorded bytes. A node refusing them (already known, already mined) is logged, not fatal: status decides. */
  async function broadcast(payoutKey: string, txHash: string, rawTx: string): Promise<void> {
    try {
      await rpc.sendRaw(rawTx as Hex);
      await store.markBroadcast(txHash, clock.now());
    } catch (err) {
      logger.warn({ payoutKey, txHash, reason: errorText(err) }, "EVM node did not accept the payout transaction; the next poll re-broadcasts it");
    }
  }

  async function replaceIfStuck(p: EvmPayoutRow): Promise<string> {
    const current = p.txs[0]!;
    const baseFee = await nextBaseFee();
    const ageMs = clock.now().getTime() - current.createdAt.getTime();
    if (!isStuck(current, baseFee, ageMs, config.replaceAfterSeconds * 1000)) return current.txHash;
    // A cancel stuck in turn is bumped as a cancel: once asked for, the payout is never re-signed.
    const fees = current.cancels ? cancelFees(current, baseFee, policy) : replacementFees(current, baseFee, policy);
    if (!fees) {
      logger.warn({ payoutKey: p.payoutKey, txHash: current.txHash, baseFee: baseFee.toString() }, "payout stuck at the fee cap (RAMPART_EVM_MAX_FEE_GWEI); it waits for the base fee to fall");
      return current.txHash;
    }
    let signed: EvmSignedTx;
    if (current.cancels) {
      signed = { ...(await sign(selfTransfer(), TRANSFER_GAS, p.nonce, fees)), cancels: true };
    } else {
      const t = transferFor(p.network, p.asset, p.toAddress, p.amountMinor);
      if ("refused" in t) return current.txHash;
      signed = await sign(t, await estimateGas(t), p.nonce, fees);
    }
    if (!(await store.addReplacement(p.payoutKey, current.txHash, signed, clock.now()))) return current.txHash;
    logger.info({ payoutKey: p.payoutKey, nonce: p.nonce.toString(), replaces: current.txHash, txHash: signed.txHash, maxFeePerGas: fees.maxFeePerGas.toString() }, "stuck payout replaced (same nonce, higher fee)");
    await broadcast(p.payoutKey, signed.txHash, signed.rawTx);
    return signed.txHash;
  }

  const selfTransfer = (): Transfer => ({ to: account.address, value: 0n });

  async function estimateGas(t: Transfer): Promise<bigint> {
    const gas = await rpc.client.estimateGas({ account: account.address, to: t.to, value: t.value, ...(t.data ? { data: t.data } : {}) });
    return (gas * GAS_MARGIN_PERCENT) / 100n;
  }

  async function status(payoutKey: string): Promise<ChainPayoutStatus> {
    const p = await store.find(payoutKey);
    if (!p) return { kind: "unknown" };
    if (p.status === "confirmed") return { kind: "confirmed", txHash: p.minedTxHash!, confirmations: config.confirmations, ...gasPaid(p.feeWei) };
    if (p.status === "failed") return { kind: "failed", reason: "the transaction reverted on chain", ...(p.minedTxHash ? { txHash: p.minedTxHash } : {}), ...gasPaid(p.feeWei) };
    if (p.status === "cancelled") return { kind: "failed", reason: cancelledReason(p.minedTxHash!), ...gasPaid(p.feeWei) };
    await rpc.ready();
    const head = await rpc.client.getBlockNumber();
    for (const tx of p.txs) {
      // Only "no receipt" means not mined; a node that fails or answers garbage fails the poll (retried)
      // rather than passing for a transaction that left its block (re-broadcast, replaced).
      const receipt = await rpc.client.getTransactionReceipt({ hash: tx.txHash as Hex }).catch((err: unknown) => {
        if (err instanceof TransactionReceiptNotFoundError) return null;
        throw err;
      });
      if (!receipt) continue;
      const now = clock.now();
      if (p.minedBlockHash !== receipt.blockHash) {
        await store.recordMined(payoutKey, { txHash: tx.txHash, blockNumber: receipt.blockNumber, blockHash: receipt.blockHash, feeWei: receipt.gasUsed * receipt.effectiveGasPrice }, now);
      }
      const confirmations = Number(head - receipt.blockNumber + 1n);
      const gas = receipt.gasUsed * receipt.effectiveGasPrice;
      // A mined cancel is reported as the payout still pending (its hash stays the payout's) until the depth.
      if (confirmations < config.confirmations) return { kind: "pending", txHash: tx.cancels ? payoutTxHash(p) : tx.txHash, confirmations: Math.max(confirmations, 0) };
      if (tx.cancels) {
        await store.finish(payoutKey, "cancelled", now);
        logger.warn({ payoutKey, txHash: tx.txHash, nonce: p.nonce.toString() }, "payout cancelled: its nonce went to the operator's 0-value replacement");
        return { kind: "failed", reason: cancelledReason(tx.txHash), ...gasPaid(gas) };
      }
      if (receipt.status === "reverted") {
        await store.finish(payoutKey, "failed", now);
        logger.error({ payoutKey, txHash: tx.txHash }, "payout transaction reverted on chain");
        return { kind: "failed", reason: "the transaction reverted on chain", txHash: tx.txHash, ...gasPaid(gas) };
      }
      await store.finish(payoutKey, "confirmed", now);
      return { kind: "confirmed", txHash: tx.txHash, confirmations, ...gasPaid(gas) };
    }
    // No version is in a block.
    if (p.minedTxHash) {
      await store.recordReorged(payoutKey, clock.now());
      logger.warn({ payoutKey, txHash: p.minedTxHash, block: p.minedBlockNumber?.toString() }, "payout's block was reorged out; tracking it again and re-broadcasting the same transaction");
    }
    const txHash = await replaceIfStuck(p);
    if (txHash === p.currentTxHash) await broadcast(payoutKey, p.txs[0]!.txHash, p.txs[0]!.rawTx);
    return { kind: "pending", txHash: p.txs[0]!.cancels ? payoutTxHash(p) : txHash, confirmations: 0 };
  }

  /**
   * Signs and broadcasts the cancel of a pending payout, once (a payout already cancelling is left to
   * status()). A cancel that cannot go out now throws: the cancel job is retried until it does (or the
   * payout is settled), since nothing else would ever sign it again.
   */
  async function cancel(payoutKey: string): Promise<void> {
    const p = await store.find(payoutKey);
    if (!p || p.status !== "pending" || p.txs.some((t) => t.cancels)) return;
    await rpc.ready();
    const current = p.txs[0]!;
    const fees = cancelFees(current, await nextBaseFee(), policy);
    if (!fees) {
      throw new Error(`the payout ${current.txHash} cannot be outbid within twice the fee cap (RAMPART_EVM_MAX_FEE_GWEI); the cancel is retried`);
    }
    const signed: EvmSignedTx = { ...(await sign(selfTransfer(), TRANSFER_GAS, p.nonce, fees)), cancels: true };
    // Lost to a poll's fee bump of the same version: the retry cancels the version that won.
    if (!(await store.addReplacement(payoutKey, current.txHash, signed, clock.now()))) {
      throw new Error(`the payout ${current.txHash} was replaced while its cancel was signed; the cancel is retried`);
    }
    logger.info({ payoutKey, nonce: p.nonce.toString(), replaces: current.txHash, txHash: signed.txHash }, "payout cancel sent (same nonce, 0-value self-transfer, higher fee)");
    await broadcast(payoutKey, signed.txHash, signed.rawTx);
  }

  async function hotWalletBalances(): Promise<HotWalletBalance[]> {
    await rpc.ready();
    const owner = account.address;
    const native = rpc.client.getBalance({ address: owner }).then((balanceMinor) => ({
      network: "ethereum",
      asset: NATIVE_ASSET,
      balanceMinor,
      decimals: 18,
      lowBelowMinor: config.lowBalanceWei,
    }));
    const tokens = Object.entries(config.tokens).map(async ([asset, address]) => ({
      network: "erc20",
      asset,
      balanceMinor: await rpc.client.readContract({ address, abi: erc20Abi, functionName: "balanceOf", args: [owner] }),
      decimals: await rpc.tokenDecimals(address),
      lowBelowMinor: null,
    }));
    return Promise.all([native, ...tokens]);
  }

  return {
    name: "evm",
    hotWallet: account.address,
    rpc,
    status,
    cancel,
    hotWalletBalances,
    async headBlock() {
      await rpc.ready();
      return rpc.client.getBlockNumber();
    },
    async send(req): Promise<ChainPayoutStatus> {
      const t = transferFor(req.network, req.asset, req.address, req.amountMinor);
      if ("refused" in t) return { kind: "failed", reason: t.refused };
      if (await store.find(req.payoutKey)) return status(req.payoutKey);
      await rpc.ready();
      // A first send only (a known payout was answered above): whether the recipient is a contract.
      const recipient = getAddress(req.address);
      if (!config.contractRecipients.has(recipient.toLowerCase()) && ((await rpc.client.getCode({ address: recipient })) ?? "0x") !== "0x") {
        return { kind: "failed", code: "recipient_is_contract", reason: `the recipient ${recipient} is a contract; contracts are paid only when listed in RAMPART_EVM_CONTRACT_RECIPIENTS` };
      }
      // A token counting in other decimals than Rampart's asset would pay 10^k times the amount (or a
      // 10^k-th of it): the contract's own decimals must be the asset's before anything is signed.
      if (req.network === "erc20") {
        const expected = ASSETS.list().find((a) => a.symbol === req.asset && a.network === "erc20")?.decimals;
        const onChain = await rpc.tokenDecimals(t.to);
        if (onChain !== expected) {
          return {
            kind: "failed",
            code: "token_decimals_mismatch",
            reason: `the ${req.asset} contract ${t.to} (RAMPART_EVM_TOKENS) has ${onChain} decimals on chain; Rampart counts ${req.asset} on erc20 in ${expected ?? "no known number of"} decimals`,
          };
        }
      }
      // Network reads first: no transaction is held open across them.
      const [chainNonce, baseFee, gas] = await Promise.all([
        rpc.client.getTransactionCount({ address: account.address, blockTag: "pending" }),
        nextBaseFee(),
        estimateGas(t),
      ]);
      const fees = initialFees(baseFee, policy);
      const draft = { payoutKey: req.payoutKey, network: req.network, asset: req.asset, toAddress: recipient, amountMinor: req.amountMinor };
      const { created, payout } = await store.allocate(account.address, BigInt(chainNonce), draft, clock.now(), (nonce) => sign(t, gas, nonce, fees));
      if (!created) return status(req.payoutKey);
      await opts.beforeBroadcast?.(req.payoutKey);
      const tx = payout.txs[0]!;
      await broadcast(req.payoutKey, tx.txHash, tx.rawTx);
      return { kind: "pending", txHash: tx.txHash, confirmations: 0 };
    },
  };
}

/** The gas a confirmed payout cost, in wei of the native coin (the ledger books it as a network fee). */
function gasPaid(feeWei: bigint | null): { networkFee?: { asset: string; amountMinor: bigint } } {
  return feeWei === null ? {} : { networkFee: { asset: NATIVE_ASSET, amountMinor: feeWei } };
}

/** The newest version that pays (a cancel's hash is not the payout's). */
function payoutTxHash(p: EvmPayoutRow): string {
  return p.txs.find((t) => !t.cancels)!.txHash;
}

function cancelledReason(cancelTxHash: string): string {
  return `cancelled by an operator: the payout's nonce was spent by the 0-value replacement ${cancelTxHash}, so the payout can never be mined`;
}

function errorText(err: unknown): string {
  if (err && typeof err === "object" && "shortMessage" in err) return String((err as { shortMessage: unknown }).shortMessage);
  return err instanceof Error ? err.message.split("\n")[0]! : String(err);
}
