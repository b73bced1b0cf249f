// The hot wallet's key outside Rampart (RAMPART_EVM_SIGNER_URL): anvil, whose dev accounts are unlocked,
// answers eth_signTransaction as the external signer, behind a loopback front that can tamper with what
// it is asked (another recipient, another nonce), hang up, or answer too much. A payout signed outside is
// mined and paid exactly once; a transaction other than the one asked for is refused before it is
// recorded or broadcast and the job is retried; the signer's URL (with its token) is in no log or error.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, afterEach, before, test } from "node:test";
import { erc20Abi, getAbiItem, type Hex } from "viem";
import { payoutKeyFor } from "../../src/app/intents/payout.js";
import { publicClient, tokenBalance } from "../support/anvil.js";
import { type EvmSetup, evmPayoutRows, evmPayoutTxs, freshAddress, paidEvmIntent, startEvm, untilMined } from "../support/evm.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { INTENT_RATES_ENV, advanceAndDrain, configureStore, drain } from "../support/intents.js";
import { verifyLedgerClean } from "../support/trading.js";

const CONFIRMATIONS = 2;
/** Longer than any job backoff: the next drain runs every retry that is due. */
const PAST_BACKOFF_MS = 10 * 60_000;
/** The signer URL's path token; the front ignores the path. */
const SIGNER_TOKEN = "s1gner-t0ken-7c3e9a";
const TRANSFER = getAbiItem({ abi: erc20Abi, name: "Transfer" });

type SignerMode = "honest" | "other-recipient" | "other-nonce" | "hang-up" | "oversized";

interface SignerFront {
  url: string;
  mode: SignerMode;
  /** eth_signTransaction calls received. */
  asked: number;
  close(): Promise<void>;
}

/** A loopback front of anvil's eth_signTransaction that does what `mode` says. */
async function startSignerFront(upstream: string): Promise<SignerFront> {
  const front: SignerFront = { url: "", mode: "honest", asked: 0, close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const call = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { method: string; params: Record<string, string>[] };
      if (call.method === "eth_signTransaction") front.asked++;
      if (front.mode === "hang-up") return void req.socket.destroy();
      if (front.mode === "oversized") return void res.writeHead(200, { "content-type": "application/json" }).end(`{"jsonrpc":"2.0","id":1,"result":"0x${"00".repeat(70_000)}"}`);
      const tx = call.params[0]!;
      if (front.mode === "other-recipient") tx.to = freshAddress();
      if (front.mode === "other-nonce") tx.nonce = `0x${(BigInt(tx.nonce!) + 1n).toString(16)}`;
      fetch(upstream, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(call) })
        .then(async (r) => res.writeHead(r.status, { "content-type": "application/json" }).end(await r.text()))
        .catch(() => res.writeHead(502).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  front.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  front.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return front;
}

let evm: EvmSetup;
let signer: SignerFront;
let h: Harness;
let m: MerchantFixture;

before(async () => {
  evm = await startEvm({ confirmations: CONFIRMATIONS });
  signer = await startSignerFront(evm.anvil.url);
  const { RAMPART_EVM_HOT_WALLET_KEY: _key, ...env } = evm.env;
  h = await createHarness({
    env: { ...INTENT_RATES_ENV, ...env, RAMPART_EVM_SIGNER_URL: `${signer.url}/sign/${SIGNER_TOKEN}`, RAMPART_EVM_SIGNER_ADDRESS: evm.hotWallet },
  });
  m = await createMerchant(h.deps);
  await configureStore(h, m.storeId);
});
afterEach(async () => {
  signer.mode = "honest";
  await verifyLedgerClean(h.deps);
  assert.ok(!h.logs.text.includes(SIGNER_TOKEN), "the signer's token is in no log line");
  const errors = await h.deps.database.db.selectFrom("jobs").select("last_error").where("last_error", "is not", null).execute();
  assert.ok(!errors.some((j) => j.last_error!.includes(SIGNER_TOKEN) || j.last_error!.includes(signer.url)), "nor is its URL in a job error");
});
after(async () => {
  await h?.close();
  await signer?.close();
  await evm?.anvil.stop();
});

const intentRow = (id: string) => h.deps.database.db.selectFrom("payment_intents").select(["status", "tx_hash", "crypto_minor"]).where("id", "=", id).executeTakeFirstOrThrow();
const evmPayout = async (id: string) => (await evmPayoutRows(h.deps)).find((p) => p.payout_key === payoutKeyFor(id));
const hotWalletNonce = () => publicClient(evm.anvil).getTransactionCount({ address: evm.hotWallet, blockTag: "pending" });

/** Mines the payout to the confirmation depth and checks it reached the recipient exactly once, signed by the hot wallet. */
async function assertDeliveredOnce(id: string, recipient: string): Promise<void> {
  const payout = await evmPayout(id);
  assert.ok(payout, "signed and recorded");
  await untilMined(evm.anvil, payout.current_tx_hash);
  await evm.anvil.mine(CONFIRMATIONS);
  await advanceAndDrain(h, PAST_BACKOFF_MS);
  const row = await intentRow(id);
  assert.equal(row.status, 6);
  assert.equal(await tokenBalance(evm.anvil, evm.token, recipient as Hex), BigInt(row.crypto_minor), "paid exactly the amount");
  const logs = await publicClient(evm.anvil).getLogs({ address: evm.token, event: TRANSFER, args: { to: recipient as Hex }, fromBlock: 0n });
  assert.equal(logs.length, 1, "one transfer on chain");
  assert.equal(logs[0]!.transactionHash, row.tx_hash);
  assert.equal((await evmPayoutTxs(h.deps, payoutKeyFor(id))).length, 1, "one signed transaction");
  const receipt = await publicClient(evm.anvil).getTransactionReceipt({ hash: row.tx_hash as Hex });
  assert.equal(receipt.from.toLowerCase(), evm.hotWallet.toLowerCase());
}

test("a payout signed by the external signer is mined and paid exactly once", async () => {
  const asked = signer.asked;
  const recipient = freshAddress();
  const id = await paidEvmIntent(h, m, recipient);
  await drain(h);
  assert.equal(signer.asked, asked + 1, "the signer was asked once");
  assert.equal((await intentRow(id)).status, 5);
  await assertDeliveredOnce(id, recipient);
});

test("a signer answering another recipient's or another nonce's transaction, hanging up or answering too much is refused: nothing recorded or broadcast, the job retried, then paid once", async () => {
  const refusals: [SignerMode, RegExp][] = [
    ["other-recipient", /external signer \(RAMPART_EVM_SIGNER_URL\): returned another transaction than asked for: to 0x[0-9a-fA-F]{40}, asked 0x/],
    ["other-nonce", /external signer \(RAMPART_EVM_SIGNER_URL\): returned another transaction than asked for: nonce \d+, asked \d+/],
    ["hang-up", /external signer \(RAMPART_EVM_SIGNER_URL\): no answer/],
    ["oversized", /external signer \(RAMPART_EVM_SIGNER_URL\): the answer is larger than 64 KiB/],
  ];
  for (const [mode, error] of refusals) {
    signer.mode = mode;
    const nonce = await hotWalletNonce();
    const asked = signer.asked;
    const recipient = freshAddress();
    const id = await paidEvmIntent(h, m, recipient);
    await drain(h);
    assert.equal(signer.asked, asked + 1, `${mode}: the signer was asked`);
    assert.equal((await intentRow(id)).status, 5, `${mode}: the intent waits at paid`);
    assert.equal(await evmPayout(id), undefined, `${mode}: no nonce taken, nothing recorded`);
    assert.equal(await hotWalletNonce(), nonce, `${mode}: nothing broadcast`);
    const jobs = await h.deps.database.db.selectFrom("jobs").select(["status", "last_error"]).where("kind", "=", "intent.payout").where("payload", "@>", JSON.stringify({ intentId: id }) as never).execute();
    assert.equal(jobs.length, 1);
    assert.equal(jobs[0]!.status, "pending", `${mode}: retried`);
    assert.match(jobs[0]!.last_error ?? "", error);
    assert.equal(await tokenBalance(evm.anvil, evm.token, recipient), 0n);

    signer.mode = "honest";
    await advanceAndDrain(h, PAST_BACKOFF_MS);
    await assertDeliveredOnce(id, recipient);
  }
});
