// The EVM adapter's test setup: a real anvil with the test USDT deployed from the hot wallet (anvil's
// first funded account), the environment that points RAMPART_CHAIN=evm at it, and readers of what the
// nonce manager recorded.
import type { Address, Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { Deps } from "../../src/app/deps.js";
import { type Anvil, ANVIL_CHAIN_ID, deployTestToken, publicClient, startAnvil } from "./anvil.js";
import type { MerchantFixture } from "./factories.js";
import type { Harness } from "./harness.js";
import { paidIntent } from "./intents.js";

export interface EvmSetup {
  anvil: Anvil;
  token: Address;
  hotWallet: Address;
  hotWalletKey: Hex;
  env: Record<string, string>;
}

/** 1,000,000 USDT (6 decimals) on the hot wallet. */
export const HOT_WALLET_USDT = 1_000_000_000_000n;

export async function startEvm(opts: { confirmations?: number; maxFeeGwei?: string } = {}): Promise<EvmSetup> {
  const anvil = await startAnvil();
  const hotWalletKey = anvil.keys[0]!;
  const token = await deployTestToken(anvil, hotWalletKey, HOT_WALLET_USDT);
  return {
    anvil,
    token,
    hotWallet: privateKeyToAccount(hotWalletKey).address,
    hotWalletKey,
    env: {
      RAMPART_CHAIN: "evm",
      RAMPART_EVM_RPC_URLS: anvil.url,
      RAMPART_EVM_CHAIN_ID: String(ANVIL_CHAIN_ID),
      RAMPART_EVM_CONFIRMATIONS: String(opts.confirmations ?? 3),
      RAMPART_EVM_TOKENS: `USDT=${token}`,
      RAMPART_EVM_HOT_WALLET_KEY: hotWalletKey,
      RAMPART_EVM_MAX_FEE_GWEI: opts.maxFeeGwei ?? "200",
    },
  };
}

/** A fresh recipient address (checksummed), holding nothing. */
export function freshAddress(): Address {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return privateKeyToAccount(`0x${Buffer.from(bytes).toString("hex")}`).address;
}

export async function evmPayoutRows(deps: Deps) {
  return deps.database.db.selectFrom("evm_payouts").selectAll().orderBy("nonce").execute();
}

export async function evmPayoutTxs(deps: Deps, payoutKey: string) {
  return deps.database.db.selectFrom("evm_payout_txs").selectAll().where("payout_key", "=", payoutKey).orderBy("created_at").execute();
}

/**
 * Resolves once the transaction is in a block. anvil answers eth_sendRawTransaction before its automine
 * has sealed the block, so a test that counts confirmations waits for the receipt first.
 */
export async function untilMined(anvil: Anvil, txHash: string): Promise<void> {
  await publicClient(anvil).waitForTransactionReceipt({ hash: txHash as Hex, pollingInterval: 50 });
}

/** An intent for USDT (or `cryptoSymbol`) on the erc20 network to `walletAddress`, paid by sandbox bank transfer (status 5, its payout job due). */
export function paidEvmIntent(h: Harness, m: MerchantFixture, walletAddress: string, cryptoSymbol = "USDT"): Promise<string> {
  return paidIntent(h, m, { cryptoSymbol, network: "erc20", walletAddress });
}
