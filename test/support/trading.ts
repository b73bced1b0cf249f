// Trading fixtures: banks, funded traders with requisites, merchant settings, a loopback webhook
// receiver that checks signatures, and a helper that runs the worker's tasks until idle.
import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Deps } from "../../src/app/deps.js";
import type { AmountRequest } from "../../src/core/trading/allocation.js";
import type { BatchCreate } from "../../src/app/trading/create-batch.js";
import { tradingBatchMember } from "../../src/app/trading/create-payin.js";
import { fundTraderDeposit, TRADER_DEPOSIT_ACCOUNT } from "../../src/app/trading/ledger-postings.js";
import { saveTradingSettings, type TradingSettingsInput } from "../../src/app/trading/settings-admin.js";
import { createRequisite, createTrader } from "../../src/app/trading/traders.js";
import { SANDBOX_BANKS } from "../../src/app/sandbox/seed-trading.js";
import { upsertBank } from "../../src/db/trading/traders.js";
import { pickAndLockRequisite } from "../../src/db/trading/requisites.js";
import type { Db } from "../../src/db/schema.js";
import { workerTasks } from "../../src/jobs/tasks.js";
import { jobHandlers } from "../../src/main/job-handlers.js";
import { createFixedRateSource } from "../../src/adapters/rates/fixed-rates.js";
import { verifyLedger } from "../../src/app/ledger/verify-ledger.js";
import assert from "node:assert/strict";
import type { FastifyInstance } from "fastify";
import { createMerchant, type MerchantFixture } from "./factories.js";

export interface TradingFixture {
  merchant: MerchantFixture;
  traders: { traderId: string; traderKey: string }[];
  requisiteIds: string[];
}

/** Accounts (card numbers, SBP phones) given so far: each fixture requisite gets its own. */
let accounts = 0;

export async function setupTrading(
  deps: Deps,
  opts: {
    traders?: number;
    requisitesPerTrader?: number;
    maxOpenPayins?: number;
    depositMinor?: bigint;
    settings?: Partial<TradingSettingsInput>;
    bank?: string;
    method?: string;
  } = {},
): Promise<TradingFixture> {
  for (const b of SANDBOX_BANKS) await upsertBank(deps.database.db, b);
  const merchant = await createMerchant(deps);
  await saveTradingSettings(deps, merchant.merchantId, { fiatCurrency: "RUB", feeRate: "0.085", ...opts.settings });
  const traders: TradingFixture["traders"] = [];
  const requisiteIds: string[] = [];
  for (let i = 0; i < (opts.traders ?? 1); i++) {
    const t = await createTrader(deps, `Trader ${i + 1}`);
    traders.push(t);
    await fundTraderDeposit(deps, t.traderId, opts.depositMinor ?? 1_000_000_000_000n, `test:fund:${t.traderId}`);
    for (let j = 0; j < (opts.requisitesPerTrader ?? 1); j++) {
      const method = opts.method ?? "card";
      requisiteIds.push(
        await createRequisite(deps, {
          traderId: t.traderId,
          bank: opts.bank ?? "SBER",
          method,
          ownerName: `Owner ${i}-${j}`,
          // One account per requisite, across every fixture of the process (createRequisite refuses a second).
          ...(method === "sbp" ? { sbpPhone: `+7955${String(++accounts).padStart(7, "0")}` } : { number: `22022017${String(++accounts).padStart(8, "0")}` }),
          maxOpenPayins: opts.maxOpenPayins ?? 50,
        }),
      );
    }
  }
  return { merchant, traders, requisiteIds };
}

/** A pay-in of `fiatAmount` created over HTTP with the merchant's key; asserts the 201 and returns the pay-in object. */
export async function createPayinOverHttp(app: FastifyInstance, apiKey: string, fiatAmount: number): Promise<{ id: string; status: string; requisite: { id: string } }> {
  const r = await app.inject({
    method: "POST",
    url: "/payment/trading/pay-in",
    headers: { "x-api-key": apiKey, "content-type": "application/json" },
    payload: JSON.stringify({ fiatAmount }),
  });
  assert.equal(r.statusCode, 201, r.body);
  return r.json();
}

/**
 * The create's requisite pick for a RUB amount range (first..last by step), any method and bank, live
 * traders, in its own transaction: what a create would be offered, read without creating.
 */
export function pickRubRequisites(db: Db, first: bigint, last: bigint, step: bigint) {
  return db.transaction().execute((trx) =>
    pickAndLockRequisite(trx, {
      fiatCurrency: "RUB",
      method: null,
      bank: null,
      allowedMethods: null,
      allowedBanks: null,
      slots: { first, last, step, count: (last - first) / step + 1n },
      deposit: { ...TRADER_DEPOSIT_ACCOUNT, atLeastMinor: 1n },
      limit: 24,
      testTraders: false,
      usage: { lo: first, hi: last, dayStart: new Date(0), monthStart: new Date(0) },
    }),
  );
}

/** Pins the fiat/USDT rate (default RUB), fresh at every read. */
export function useFixedRate(deps: Deps, rate: string, fiat = "RUB"): void {
  deps.ports.rates = createFixedRateSource({ [`${fiat}/USDT`]: rate }, deps.clock);
}

/**
 * Trading creates of the fixture's merchant for `amounts`, checked and priced as the API would, ready
 * to run in a batch (create-batch.ts runBatch) in the test's own transaction.
 */
export function batchMembers(deps: Deps, fx: TradingFixture, amounts: AmountRequest[], extra: Record<string, unknown> | null = null, bank: string | null = null): Promise<BatchCreate[]> {
  return Promise.all(
    amounts.map((amount, n) =>
      tradingBatchMember(deps, {
        merchantId: fx.merchant.merchantId,
        apiKeyId: "test-key",
        amount,
        fiatCurrency: null,
        method: null,
        bank,
        callbackUrl: null,
        depositType: null,
        transferType: null,
        extra,
        body: { n, extra },
      }),
    ),
  );
}

/** `rampart ledger verify` on the test database: no drift, every transfer balanced. */
export async function verifyLedgerClean(deps: Deps): Promise<void> {
  const report = await verifyLedger(deps.database.db);
  assert.deepEqual(report.problems, []);
  assert.equal(report.ok, true);
}

/** Runs every worker task until a full round handles nothing (bounded). */
export async function drainWorker(deps: Deps, maxRounds = 50): Promise<void> {
  for (let i = 0; i < maxRounds; i++) {
    let handled = 0;
    for (const t of workerTasks(jobHandlers)) {
      handled += await t.runOnce(deps);
      // Deliveries run in a pool after runOnce returns: wait for them, so "idle" means done.
      await t.drain?.(deps);
    }
    if (handled === 0) return;
  }
  throw new Error("worker did not go idle");
}

export interface ReceivedWebhook {
  body: string;
  json: Record<string, unknown>;
  headers: http.IncomingHttpHeaders;
  signatureValid: boolean;
}

/** A loopback webhook receiver; each request's x-signature is checked against `key`. */
export async function startWebhookReceiver(key: () => string) {
  const received: ReceivedWebhook[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const expected = createHmac("sha256", key()).update(raw).digest("hex");
      const sig = String(req.headers["x-signature"] ?? "");
      const signatureValid = sig.length === expected.length && timingSafeEqual(Buffer.from(sig), Buffer.from(expected));
      received.push({ body: raw.toString("utf8"), json: JSON.parse(raw.toString("utf8")), headers: req.headers, signatureValid });
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

export function signBody(key: string, body: string | Buffer): string {
  return createHmac("sha256", key).update(body).digest("hex");
}

/** A minimal PNG: its signature is all the receipt check reads. */
export const RECEIPT_PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);

/** POST /file/trading/pay-in/invoice/upload as a merchant client sends it (multipart field `file`). */
export function uploadTradingReceipt(
  app: FastifyInstance,
  apiKey: string,
  payinId: string,
  file: { data: Buffer; contentType: string } = { data: RECEIPT_PNG, contentType: "image/png" },
) {
  const boundary = "----rampart";
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="receipt"\r\nContent-Type: ${file.contentType}\r\n\r\n`;
  return app.inject({
    method: "POST",
    url: `/file/trading/pay-in/invoice/upload?tradeId=${payinId}`,
    headers: { "x-api-key": apiKey, "content-type": `multipart/form-data; boundary=${boundary}` },
    payload: Buffer.concat([Buffer.from(head), file.data, Buffer.from(`\r\n--${boundary}--\r\n`)]),
  });
}

/** Uploads a PNG receipt and returns its invoiceKey. */
export async function uploadPngReceipt(app: FastifyInstance, apiKey: string, payinId: string): Promise<string> {
  const r = await uploadTradingReceipt(app, apiKey, payinId);
  assert.equal(r.statusCode, 200, r.body);
  return (r.json() as { invoiceKey: string }).invoiceKey;
}
