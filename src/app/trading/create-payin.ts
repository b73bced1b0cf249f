// Create a trading pay-in: validate against the merchant's settings, dedupe on
// extra.externalTransactionId, read the rate (before the transaction: it may be a network call), then
// in one transaction allocate a slot; write the pay-in, its event, the expiry at the window's end and
// the requisite's turn (one statement); and hold the trader's crypto in its escrow (one statement).
// The hold comes last: it locks the trader's deposit, which the trader's other creates share, so that
// row stays locked only for the hold's statement and the commit. No row every create shares is
// locked: the merchant's balance and the fee are credited at settlement (ledger-postings.ts).
// Concurrent creates of a merchant without risk rules first try a shared batch (create-batch.ts, issue
// 16), whose transaction does the same writes for all of them at once; the one transaction per create
// below is for the rest and for a create the batch could not place.
import { hash } from "node:crypto";
import { asciiLower, asciiUpper } from "../../core/shared/ascii-case.js";
import { canonicalJson } from "../../core/shared/canonical-json.js";
import { type AmountRequest, amountLimitBreach, rangeGrid } from "../../core/trading/allocation.js";
import { formatFiatBound } from "../../core/trading/fiat-amount.js";
import { AppError } from "../../core/shared/errors.js";
import { findByExternalId, insertNewPayin, type TradingPayinRow } from "../../db/trading/payins.js";
import type { Deps } from "../deps.js";
import type { CommitAnswer } from "../idempotency/idempotency-keys.js";
import { isTestMerchant } from "../merchants/test-mode.js";
import { allocateSlot, type SlotFilter } from "./allocate.js";
import { type BatchCreate, createInBatch } from "./create-batch.js";
import { requireUsableBank, requireUsableMethod } from "./catalogue-cache.js";
import type { RequisiteView } from "./payin-object.js";
import { computeTradingAmounts, TRADING_CRYPTO, tradingRate } from "./amounts.js";
import { holdPayinCrypto } from "./ledger-postings.js";
import { expiryJob } from "./payin-outbox.js";
import { assessPaymentRisk, refuseWhenBlocked } from "../risk/assess-payment.js";
import { tradingSignals } from "../risk/dialect-signals.js";
import { loadTradingSettings, type TradingSettings } from "./merchant-settings.js";
import type { TradingSettingsRow } from "../../db/trading/settings.js";
import type { LockedRequisite } from "../../db/trading/requisites.js";
import { readRiskSet } from "../risk/rule-cache.js";

interface CreateTradingPayinInput {
  merchantId: string;
  apiKeyId: string;
  amount: AmountRequest;
  fiatCurrency: string | null;
  method: string | null;
  bank: string | null;
  callbackUrl: string | null;
  depositType: string | null;
  transferType: string | null;
  extra: Record<string, unknown> | null;
  /** The parsed request body, fingerprinted to tell a replay from a different request. */
  body: unknown;
  /** The merchant's settings row when this request already read it (see loadTradingSettings). */
  settingsRow?: TradingSettingsRow | null;
}

export interface CreateTradingPayinResult {
  payin: TradingPayinRow;
  /** The requisite as locked by a new pay-in's transaction; absent on a replay. */
  requisite?: RequisiteView;
  /** False when an earlier pay-in with the same externalTransactionId and body was returned. */
  created: boolean;
}

/** Canonical JSON (sorted keys) so that key order and whitespace do not change the fingerprint. */
function fingerprint(body: unknown): string {
  return hash("sha256", canonicalJson(body)); // one-shot: hex, as createHash().digest("hex")
}

function externalIdOf(extra: Record<string, unknown> | null): string | null {
  const v = extra?.externalTransactionId;
  return typeof v === "string" && v.length > 0 ? v : typeof v === "number" ? String(v) : null;
}

async function replayOrConflict(deps: Deps, merchantId: string, externalId: string, fp: string): Promise<CreateTradingPayinResult | null> {
  const existing = await findByExternalId(deps.database.db, merchantId, externalId);
  if (!existing) return null;
  if (existing.request_fingerprint !== fp) throw new AppError("external_transaction_id_conflict", { field: "extra.externalTransactionId" });
  return { payin: existing, created: false };
}

function checkAgainstSettings(s: TradingSettings, input: CreateTradingPayinInput) {
  const fiatCurrency = (input.fiatCurrency ?? s.fiatCurrency).toUpperCase();
  if (!s.fiatCurrencies.includes(fiatCurrency)) throw new AppError("currency_not_available", { field: "fiatCurrency" });
  const method = input.method ? asciiLower(input.method) : null;
  if (method && s.allowedMethods && !s.allowedMethods.includes(method)) {
    throw new AppError("method_not_available", { field: "method", details: { method } });
  }
  const bank = input.bank ? asciiUpper(input.bank) : null;
  if (bank && s.allowedBanks && !s.allowedBanks.includes(bank)) throw new AppError("bank_not_available", { field: "bank" });
  const breach = amountLimitBreach(input.amount, { minMinor: s.minFiatMinor, maxMinor: s.maxFiatMinor });
  if (breach) {
    throw new AppError(breach.kind === "min" ? "fiat_amount_too_small" : "fiat_amount_too_large", {
      field: "fiatAmount",
      details: { bound: formatFiatBound(breach.boundMinor) },
    });
  }
  const grid =
    input.amount.kind === "exact"
      ? { first: input.amount.amountMinor, last: input.amount.amountMinor, count: 1n }
      : rangeGrid(input.amount.minMinor, input.amount.maxMinor, s.rangeStepMinor);
  if (!grid) {
    throw new AppError("validation_failed", { field: "fiatAmountRange", message: "fiatAmountRange holds no amount at the currency's granularity" });
  }
  return { fiatCurrency, method, bank, grid };
}

/** The create checked against the settings and priced, ready for a slot (or the earlier pay-in it replays). */
async function prepareCreate(deps: Deps, input: CreateTradingPayinInput) {
  const db = deps.database.db;
  const settings = await loadTradingSettings(db, input.merchantId, input.settingsRow);
  // An unknown method is bad input (400) before any business refusal.
  if (input.method) await requireUsableMethod(deps, asciiLower(input.method));
  const { fiatCurrency, method, bank, grid } = checkAgainstSettings(settings, input);
  if (bank) await requireUsableBank(deps, bank);

  const fp = fingerprint(input.body);
  const externalId = externalIdOf(input.extra);
  if (externalId) {
    const replay = await replayOrConflict(deps, input.merchantId, externalId, fp);
    if (replay) return { kind: "replay" as const, replay };
  }

  const rate = await tradingRate(deps, fiatCurrency);
  // Known per process after the first pay-in (the twin relation never changes): no extra round trip.
  const testTraders = await isTestMerchant(deps, input.merchantId);
  const now = deps.clock.now();
  const id = deps.ids.uuid();
  const slot: SlotFilter = {
    fiatCurrency,
    method,
    bank,
    allowedMethods: settings.allowedMethods,
    allowedBanks: settings.allowedBanks,
    amount: input.amount,
    stepMinor: settings.rangeStepMinor,
    grid,
    minCryptoMinor: computeTradingAmounts(grid.first, rate, settings.feeRate).cryptoMinor,
    testTraders,
  };
  /** The pay-in's writes on its slot (one statement with the others': db/trading/payins.ts insertNewPayins). */
  const write = (requisite: LockedRequisite, amountMinor: bigint) => {
    const amounts = computeTradingAmounts(amountMinor, rate, settings.feeRate);
    const row = {
      id,
      merchant_id: input.merchantId,
      api_key_id: input.apiKeyId,
      status: "active" as const,
      fiat_amount_minor: amountMinor.toString(),
      fiat_currency: fiatCurrency,
      crypto_amount_minor: amounts.cryptoMinor.toString(),
      merchant_fee_minor: amounts.feeMinor.toString(),
      fee_rate: settings.feeRate,
      currency_rate: rate,
      crypto_currency: TRADING_CRYPTO.wireCurrency,
      crypto_network: TRADING_CRYPTO.wireNetwork,
      bank_code: requisite.bank_code,
      method: requisite.method,
      requisite_id: requisite.id,
      trader_id: requisite.trader_id,
      external_transaction_id: externalId,
      request_fingerprint: fp,
      callback_url: input.callbackUrl,
      extra: JSON.stringify(input.extra ?? {}),
      deposit_type: input.depositType,
      transfer_type: input.transferType,
      hold_transfer_id: `trading:${id}:hold`,
      expires_at: new Date(now.getTime() + settings.paymentWindowSeconds * 1000),
      created_at: now,
      updated_at: now,
    };
    return {
      cryptoMinor: amounts.cryptoMinor,
      payin: { row, event: { actor: "merchant", actorId: input.apiKeyId, to: "active" as const, at: now }, expiryJob: expiryJob(id, row.expires_at, requisite.trader_id), riskDecision: null },
    };
  };
  return { kind: "ready" as const, db, id, now, fp, externalId, fiatCurrency, testTraders, slot, write };
}

/** The batch member a create would be (create-batch.ts); for the batch's own tests. */
export async function tradingBatchMember(deps: Deps, input: CreateTradingPayinInput): Promise<BatchCreate> {
  const c = await prepareCreate(deps, input);
  if (c.kind === "replay") throw new Error("tradingBatchMember: the create replays an earlier pay-in");
  return batchMember(deps, input, c);
}

function batchMember(deps: Deps, input: CreateTradingPayinInput, c: Extract<Awaited<ReturnType<typeof prepareCreate>>, { kind: "ready" }>, commit?: CommitAnswer<CreateTradingPayinResult>): BatchCreate {
  return {
    deps,
    merchantId: input.merchantId,
    externalId: c.externalId,
    now: c.now,
    slot: c.slot,
    write: c.write,
    ...(commit ? { commit } : {}),
  };
}

export async function createTradingPayin(deps: Deps, input: CreateTradingPayinInput, commit?: CommitAnswer<CreateTradingPayinResult>): Promise<CreateTradingPayinResult> {
  const c = await prepareCreate(deps, input);
  if (c.kind === "replay") return c.replay;
  const { db, id, now, fp, externalId, fiatCurrency, testTraders, slot, write } = c;
  try {
    // Without risk rules (cached), the create joins the concurrent ones' batch (create-batch.ts); a
    // merchant with rules, and a create the batch could not place, take the single path below.
    if ((await readRiskSet(deps, input.merchantId)).rules.length === 0) {
      const batched = await createInBatch(deps, batchMember(deps, input, c, commit));
      if (batched.kind === "created") return batched.result;
    }
    const created = await refuseWhenBlocked(deps, () => db.transaction().execute(async (trx) => {
      // Risk first: a block rolls back before any slot is taken (a range counts at its top).
      const risk = await assessPaymentRisk(deps, trx, {
        merchantId: input.merchantId,
        flow: "trading",
        paymentId: id,
        signals: tradingSignals({ amountMinor: input.amount.kind === "exact" ? input.amount.amountMinor : input.amount.maxMinor, currency: fiatCurrency, depositType: input.depositType, extra: input.extra }),
      });
      return allocateSlot(trx, now, slot, async (requisite, amountMinor) => {
        const w = write(requisite, amountMinor);
        const payin = await insertNewPayin(trx, { ...w.payin, riskDecision: risk?.record ?? null });
        // The answer is stored before the hold, so the hold stays the last write; a refused hold
        // rolls the stored answer back with the savepoint, and the next requisite stores its own.
        const result = { payin, requisite, created: true };
        await commit?.(trx, result);
        await holdPayinCrypto(deps, trx, {
          payinId: id,
          traderId: requisite.trader_id,
          merchantId: input.merchantId,
          cryptoMinor: w.cryptoMinor,
        });
        // Test twins' payments are not counted: the counters are live volume (test mode, issue 19).
        if (!testTraders) deps.metrics.paymentCreated(trx, "trading");
        return { kind: "taken", value: result };
      });
    }));
    return created;
  } catch (err) {
    // A concurrent create with the same externalTransactionId won the unique index.
    const e = err as { code?: string; message?: string; constraint?: string };
    if (externalId && e?.code === "23505" && `${e.constraint ?? ""}${e.message ?? ""}`.includes("trading_payins_external_id_uq")) {
      const replay = await replayOrConflict(deps, input.merchantId, externalId, fp);
      if (replay) return replay;
    }
    throw err;
  }
}
