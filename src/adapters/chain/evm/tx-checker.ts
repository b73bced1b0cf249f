// The manual chain's check of an operator-entered tx hash (RAMPART_CHAIN=manual with RAMPART_EVM_RPC_URLS):
// the receipt must exist and have succeeded, and the transaction must pay the payout exactly — for
// "erc20" a Transfer log of the configured token contract to the payout's address for the amount in the
// token's own decimals (read from the contract), for "ethereum" a direct value transfer to the address.
// A match not yet RAMPART_EVM_CONFIRMATIONS deep is "unconfirmed": the operator enters it again later.
// ETH sent through a contract (an internal transfer) is not visible in a receipt and is refused.
import { type Hex, TransactionNotFoundError, TransactionReceiptNotFoundError, erc20Abi, getAddress, isAddressEqual, parseEventLogs } from "viem";
import type { PayoutTxCheck, PayoutTxChecker } from "../../../app/ports.js";
import type { EvmReadConfig } from "../../../config/evm-config.js";
import { checkAddress } from "../../../core/money/addresses.js";
import { createEvmRpc } from "./rpc.js";

const NATIVE_ASSET = "ETH";

const mismatch = (reason: string): PayoutTxCheck => ({ kind: "mismatch", reason });

/** amountMinor (in `from` decimals) in `to` decimals; null when it has no exact value there. */
function rescale(amountMinor: bigint, from: number, to: number): bigint | null {
  if (to >= from) return amountMinor * 10n ** BigInt(to - from);
  const div = 10n ** BigInt(from - to);
  return amountMinor % div === 0n ? amountMinor / div : null;
}

export function createEvmTxChecker(config: EvmReadConfig): PayoutTxChecker {
  const rpc = createEvmRpc(config);
  return {
    name: "evm",
    async check(req) {
      if (req.network !== "ethereum" && req.network !== "erc20") return { kind: "not_checkable", reason: `the EVM node does not serve the network ${req.network}` };
      const token = req.network === "erc20" ? config.tokens[req.asset] : undefined;
      if (req.network === "erc20" && !token) return { kind: "not_checkable", reason: `no token contract configured for ${req.asset} (RAMPART_EVM_TOKENS)` };
      const addr = checkAddress("ethereum", req.address);
      if (!addr.ok) return mismatch(`the payout's address is not an EVM address: ${addr.reason}`);
      const to = getAddress(req.address);
      const hash = req.txHash as Hex;
      await rpc.ready();
      const receipt = await rpc.client.getTransactionReceipt({ hash }).catch((err: unknown) => {
        if (err instanceof TransactionReceiptNotFoundError) return null;
        throw err;
      });
      if (!receipt) {
        // Known but not in a block yet (in the node's pool): worth entering again; unknown: a wrong hash.
        const pending = await rpc.client.getTransaction({ hash }).catch((err: unknown) => {
          if (err instanceof TransactionNotFoundError) return null;
          throw err;
        });
        if (!pending) return mismatch("the node knows no transaction with this hash");
        return { kind: "unconfirmed", confirmations: 0, required: config.confirmations };
      }
      if (receipt.status !== "success") return mismatch("the transaction reverted on chain");
      if (token) {
        const expected = rescale(req.amountMinor, req.decimals, await rpc.tokenDecimals(token));
        if (expected === null) return mismatch(`the token's decimals cannot express the amount exactly`);
        const transfers = parseEventLogs({ abi: erc20Abi, eventName: "Transfer", logs: receipt.logs, strict: true }).filter(
          (l) => isAddressEqual(l.address, token) && isAddressEqual(l.args.to, to),
        );
        if (transfers.length === 0) return mismatch(`the transaction transfers no ${req.asset} to ${to}`);
        if (!transfers.some((l) => l.args.value === expected)) return mismatch(`the transaction transfers ${transfers.map((l) => l.args.value).join(", ")} ${req.asset} base units to ${to}, not ${expected}`);
      } else {
        if (req.asset !== NATIVE_ASSET) return mismatch(`the ethereum network carries ${NATIVE_ASSET}, not ${req.asset}`);
        const tx = await rpc.client.getTransaction({ hash });
        if (!tx.to || !isAddressEqual(tx.to, to)) return mismatch(`the transaction pays ${tx.to ?? "no address"}, not ${to}`);
        const expected = rescale(req.amountMinor, req.decimals, 18);
        if (tx.value !== expected) return mismatch(`the transaction sends ${tx.value} wei, not ${expected}`);
      }
      const head = await rpc.client.getBlockNumber();
      const confirmations = Number(head - receipt.blockNumber + 1n);
      if (confirmations < config.confirmations) return { kind: "unconfirmed", confirmations: Math.max(confirmations, 0), required: config.confirmations };
      return { kind: "matches", confirmations };
    },
  };
}
