// The shape of a node's answer to each JSON-RPC method the EVM adapters call, checked before viem reads
// it. viem refuses a body that is not JSON or has neither result nor error, but it formats a result of
// the wrong type as best it can: a receipt `{}` becomes one with no block and no status (read as
// "reverted"), a block without its hash reads like a chain that is shorter, a quantity `{}` throws a
// TypeError deep inside. A garbage answer must fail the call like a node that is down (the next URL is
// tried, the payout poll or the watcher run is retried), never be taken for a fact about the chain.
const QUANTITY = /^0x[0-9a-f]{1,64}$/i;
const DATA = /^0x(?:[0-9a-f]{2})*$/i;
const HASH = /^0x[0-9a-f]{64}$/i;
const ADDRESS = /^0x[0-9a-f]{40}$/i;

class EvmGarbageAnswerError extends Error {
  override name = "EvmGarbageAnswerError";
  constructor(method: string, what: string) {
    super(`the EVM node answered ${method} with garbage: ${what}`);
  }
}

type Fields = Record<string, RegExp | "nullable-address">;

const RECEIPT: Fields = { transactionHash: HASH, blockHash: HASH, blockNumber: QUANTITY, status: /^0x[01]$/, gasUsed: QUANTITY, effectiveGasPrice: QUANTITY };
const LOG: Fields = { address: ADDRESS, blockHash: HASH, blockNumber: QUANTITY, logIndex: QUANTITY, transactionHash: HASH, data: DATA };
const TRANSACTION: Fields = { hash: HASH, nonce: QUANTITY, value: QUANTITY, to: "nullable-address" };
const BLOCK: Fields = { number: QUANTITY, hash: HASH, parentHash: HASH };

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function checkFields(method: string, what: string, x: unknown, fields: Fields): Record<string, unknown> {
  if (!isObject(x)) throw new EvmGarbageAnswerError(method, `${what} is not an object`);
  for (const [name, shape] of Object.entries(fields)) {
    const v = x[name];
    const ok = shape === "nullable-address" ? v === null || v === undefined || (typeof v === "string" && ADDRESS.test(v)) : typeof v === "string" && shape.test(v);
    if (!ok) throw new EvmGarbageAnswerError(method, `${what}.${name} is ${JSON.stringify(v)?.slice(0, 80)}`);
  }
  return x;
}

function checkLog(method: string, x: unknown): void {
  const log = checkFields(method, "a log", x, LOG);
  if (!Array.isArray(log.topics) || !log.topics.every((t) => typeof t === "string" && HASH.test(t))) throw new EvmGarbageAnswerError(method, "a log's topics are not hashes");
}

function checkBlock(method: string, params: unknown, block: unknown): void {
  const tag = Array.isArray(params) ? params[0] : undefined;
  // A pending block has no hash yet; only its base fee is read.
  if (tag === "pending") {
    if (!isObject(block)) throw new EvmGarbageAnswerError(method, "the block is not an object");
  } else {
    checkFields(method, "the block", block, BLOCK);
    if (typeof tag === "string" && QUANTITY.test(tag) && BigInt(tag) !== BigInt((block as { number: string }).number)) {
      throw new EvmGarbageAnswerError(method, `block ${BigInt(tag)} was asked for, another came back`);
    }
  }
  const { baseFeePerGas, transactions } = block as Record<string, unknown>;
  if (baseFeePerGas !== undefined && !(typeof baseFeePerGas === "string" && QUANTITY.test(baseFeePerGas))) throw new EvmGarbageAnswerError(method, "the base fee is not a quantity");
  if (!Array.isArray(transactions)) throw new EvmGarbageAnswerError(method, "the block has no transaction list");
  for (const tx of transactions) {
    if (typeof tx === "string") {
      if (!HASH.test(tx)) throw new EvmGarbageAnswerError(method, "a transaction hash is not a hash");
    } else checkFields(method, "a transaction", tx, TRANSACTION);
  }
}

/** Throws EvmGarbageAnswerError when `result` cannot be `method`'s answer. Methods not listed pass unchecked. */
export function checkAnswer(method: string, params: unknown, result: unknown): void {
  switch (method) {
    case "eth_chainId":
    case "eth_blockNumber":
    case "eth_getTransactionCount":
    case "eth_estimateGas":
    case "eth_getBalance":
    case "eth_gasPrice":
    case "eth_maxPriorityFeePerGas":
      if (typeof result !== "string" || !QUANTITY.test(result)) throw new EvmGarbageAnswerError(method, "not a quantity");
      return;
    case "eth_call":
    case "eth_getCode":
      if (typeof result !== "string" || !DATA.test(result)) throw new EvmGarbageAnswerError(method, "not hex data");
      return;
    case "eth_sendRawTransaction":
      if (typeof result !== "string" || !HASH.test(result)) throw new EvmGarbageAnswerError(method, "not a transaction hash");
      return;
    case "eth_getTransactionReceipt": {
      if (result === null) return; // not mined (or unknown)
      const receipt = checkFields(method, "the receipt", result, RECEIPT);
      if (!Array.isArray(receipt.logs)) throw new EvmGarbageAnswerError(method, "the receipt has no log list");
      for (const log of receipt.logs) checkLog(method, log);
      return;
    }
    case "eth_getTransactionByHash":
      if (result !== null) checkFields(method, "the transaction", result, TRANSACTION);
      return;
    case "eth_getBlockByNumber":
    case "eth_getBlockByHash":
      if (result !== null) checkBlock(method, params, result);
      return;
    case "eth_getLogs":
      if (!Array.isArray(result)) throw new EvmGarbageAnswerError(method, "not a list of logs");
      for (const log of result) checkLog(method, log);
      return;
  }
}
