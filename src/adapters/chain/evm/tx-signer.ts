// Who signs the hot wallet's payout transactions: its private key held in this process's memory, or an
// external signer over JSON-RPC (eth_signTransaction) so the key can live elsewhere (RAMPART_EVM_SIGNER_URL,
// e.g. a signing service on another host). Everything around signing — the nonce manager, fees,
// replacement, confirmations — is the same for both.
//
// The external signer's answer is never trusted: the raw transaction it returns is decoded and must be
// exactly the one asked for (type, chain id, nonce, recipient, value, data, gas, fees, no access list)
// and signed by the configured address; anything else is refused before it is recorded or broadcast.
// The call goes through safeRequest (one total timeout, the answer read up to 64 KiB, redirects not
// followed, no credentials in the URL). Private addresses are allowed: the URL is the operator's own
// setting, never a user's, and a signer usually sits on a private network. Its URL may carry a token,
// so no error or log line names it.
import { type Address, type Hex, getAddress, isAddressEqual, parseTransaction, recoverTransactionAddress, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { EvmConfig } from "../../../config/evm-config.js";
import { safeRequest } from "../../http/safe-request.js";
import { urlRedactor } from "./redact-urls.js";

/** An EIP-1559 transaction to sign, every field fixed by the caller. */
interface UnsignedTx {
  chainId: number;
  nonce: bigint;
  to: Address;
  value: bigint;
  data?: Hex;
  gas: bigint;
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

interface TxSigner {
  readonly address: Address;
  /** The signed raw transaction; throws when it cannot be had (the caller takes no nonce then). */
  sign(tx: UnsignedTx): Promise<Hex>;
}

/** The external signer failed or answered something other than the transaction asked for. */
class ExternalSignerError extends Error {
  override name = "ExternalSignerError";
}

export function createTxSigner(config: Pick<EvmConfig, "hotWallet" | "rpcTimeoutMs">): TxSigner {
  const wallet = config.hotWallet;
  if (wallet.kind === "key") {
    const account = privateKeyToAccount(wallet.key.reveal());
    return {
      address: account.address,
      sign: (tx) => account.signTransaction({ type: "eip1559", ...tx, nonce: Number(tx.nonce) }),
    };
  }
  return externalSigner(wallet.url.reveal(), getAddress(wallet.address), config.rpcTimeoutMs);
}

function externalSigner(url: string, address: Address, timeoutMs: number): TxSigner {
  const redact = urlRedactor([url]);
  const fail = (what: string): never => {
    throw new ExternalSignerError(`external signer (RAMPART_EVM_SIGNER_URL): ${redact(what)}`);
  };
  let id = 0;
  return {
    address,
    async sign(tx) {
      const params = {
        from: address,
        to: tx.to,
        value: toHex(tx.value),
        data: tx.data ?? "0x",
        nonce: toHex(tx.nonce),
        gas: toHex(tx.gas),
        maxFeePerGas: toHex(tx.maxFeePerGas),
        maxPriorityFeePerGas: toHex(tx.maxPriorityFeePerGas),
        chainId: toHex(tx.chainId),
        type: "0x2",
      };
      const res = await safeRequest({
        method: "POST",
        url,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method: "eth_signTransaction", params: [params] }),
        allowPrivate: true,
        timeoutMs,
      });
      if (res.kind === "error") return fail(`no answer: ${res.error}`);
      if (res.truncated) return fail("the answer is larger than 64 KiB");
      if (res.status !== 200) return fail(`answered HTTP ${res.status}`);
      let body: { result?: unknown; error?: { message?: unknown } };
      try {
        body = JSON.parse(res.body) as typeof body;
      } catch {
        return fail("the answer is not JSON");
      }
      if (body?.error) return fail(`refused to sign: ${String(body.error.message).slice(0, 200)}`);
      // anvil and most signers answer the raw transaction; geth and clef answer { raw, tx }.
      const raw = typeof body?.result === "string" ? body.result : (body?.result as { raw?: unknown } | undefined)?.raw;
      if (typeof raw !== "string" || !/^0x(?:[0-9a-fA-F]{2})+$/.test(raw)) return fail("the answer holds no raw transaction");
      const problem = await mismatch(raw as Hex, tx, address);
      if (problem) return fail(`returned another transaction than asked for: ${problem}`);
      return raw as Hex;
    },
  };
}

/** What differs between the signed `raw` and the transaction asked for; null when it is exactly that one. */
async function mismatch(raw: Hex, asked: UnsignedTx, from: Address): Promise<string | null> {
  let got: ReturnType<typeof parseTransaction>;
  try {
    got = parseTransaction(raw);
  } catch {
    return "it does not decode";
  }
  if (got.type !== "eip1559") return `type ${got.type}, not eip1559`;
  const fields: [string, unknown, unknown][] = [
    ["chainId", got.chainId, asked.chainId],
    ["nonce", BigInt(got.nonce ?? -1), asked.nonce],
    ["value", got.value ?? 0n, asked.value],
    ["data", (got.data ?? "0x").toLowerCase(), (asked.data ?? "0x").toLowerCase()],
    ["gas", got.gas, asked.gas],
    ["maxFeePerGas", got.maxFeePerGas, asked.maxFeePerGas],
    ["maxPriorityFeePerGas", got.maxPriorityFeePerGas, asked.maxPriorityFeePerGas],
  ];
  for (const [name, g, a] of fields) if (g !== a) return `${name} ${String(g)}, asked ${String(a)}`;
  if (!got.to || !isAddressEqual(got.to, asked.to)) return `to ${got.to ?? "none"}, asked ${asked.to}`;
  if ((got.accessList?.length ?? 0) > 0) return "it carries an access list";
  if (got.r === undefined || got.s === undefined || got.yParity === undefined) return "it is not signed";
  const signer = await recoverTransactionAddress({ serializedTransaction: raw as Parameters<typeof recoverTransactionAddress>[0]["serializedTransaction"] }).catch(() => null);
  if (!signer || !isAddressEqual(signer, from)) return `signed by ${signer ?? "no valid signature"}, not ${from}`;
  return null;
}
