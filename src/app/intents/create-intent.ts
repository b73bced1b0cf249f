// Creating an intent: validate store, asset, address and amounts; price it; decide its first status
// (country not served → 10002, valid KYC → 4, otherwise 2 with a hosted KYC link). KYC data sent
// with the request is submitted to the vendor after commit, which may move the intent on at once.
import type { Transaction } from "kysely";
import { pooledRandomBytes } from "../../core/crypto/pooled-random.js";
import { INTENT_STATUS as S } from "../../core/intents/intent-status.js";
import { paymentReference } from "../../core/intents/payment-reference.js";
import { checkAddress } from "../../core/money/addresses.js";
import { AssetRegistry } from "../../core/money/assets.js";
import { fiatScale } from "../../core/money/currencies.js";
import { parseAmount } from "../../core/money/decimal.js";
import { AppError } from "../../core/shared/errors.js";
import { inAuditScope } from "../../db/audit/audit-scope.js";
import { findIntent, type IntentRow } from "../../db/intents/intents.js";
import type { DB } from "../../db/schema.js";
import type { Deps } from "../deps.js";
import type { CommitAnswer } from "../idempotency/idempotency-keys.js";
import { type KycPersonalData, submitToVendor } from "../kyc/kyc-cases.js";
import { checkoutUrl } from "./checkout.js";
import { DEFAULT_PAYMENT_METHOD, priceIntent } from "./pricing.js";
import { refuseWhenBlocked } from "../risk/assess-payment.js";
import { intentSignals } from "../risk/dialect-signals.js";
import { readRiskSet } from "../risk/rule-cache.js";
import { writeIntentBatched } from "./intent-batch.js";
import { readStoreWithSettings } from "./store-cache.js";
import { type IntentDraft, type WrittenIntent, writeIntents } from "./write-intents.js";

interface CreateIntentInput {
  email: string;
  currencyIsoCode: string;
  cryptoSymbol: string;
  network: string;
  walletAddress: string;
  ip: string;
  storeId: string;
  fiatAmount?: number | string;
  cryptoAmount?: number | string;
  countryIsoCode?: string;
  phoneCountryCode?: string;
  phoneNumber?: string;
  firstName?: string;
  lastName?: string;
  birthDate?: string;
  documentType?: string;
  documentNumber?: string;
  documentCountry?: string;
  nationality?: string;
  documentFrontUrl?: string;
  documentBackUrl?: string;
  kycVideoUrl?: string;
  kycRedirectUrl?: string;
  successUrl?: string;
  cancelUrl?: string;
  ipnUrl?: string;
  paymentMethod?: string;
}

export interface CreatedIntent {
  paymentIntentId: string;
  status: number;
  kycUrl: string | null;
  orderNumber: string | null;
  /** Extension: the hosted checkout (checkout.ts). */
  checkoutUrl: string;
}

const assets = new AssetRegistry();

/** KYC data complete enough to submit to the vendor without the hosted page. */
function kycDataFrom(input: CreateIntentInput): KycPersonalData | null {
  if (!input.firstName || !input.lastName || !input.documentNumber || !input.birthDate) return null;
  return {
    firstName: input.firstName,
    lastName: input.lastName,
    birthDate: input.birthDate,
    documentType: input.documentType ?? null,
    documentNumber: input.documentNumber,
    country: input.documentCountry ?? input.countryIsoCode ?? null,
    nationality: input.nationality ?? null,
    // Pre-collected media are referenced by URL; nothing is fetched from the merchant's servers.
    files: [input.documentFrontUrl, input.documentBackUrl, input.kycVideoUrl].filter((u): u is string => Boolean(u)),
  };
}

/** The phone as the KYC case keeps it (`+` and the country code), or null when none was sent. */
function phoneFrom(input: CreateIntentInput): { countryCode: string | null; number: string | null } | null {
  if (input.phoneCountryCode === undefined && input.phoneNumber === undefined) return null;
  return { countryCode: input.phoneCountryCode === undefined ? null : `+${input.phoneCountryCode.replace(/^\+/, "")}`, number: input.phoneNumber ?? null };
}

/**
 * `commit` stores the answer with the intent; when pre-collected KYC data goes to the vendor after
 * commit, the answer is revised with the intent as the vendor's decision left it.
 */
export async function createIntent(deps: Deps, merchantId: string, input: CreateIntentInput, commit?: CommitAnswer<CreatedIntent>): Promise<CreatedIntent> {
  const store = await readStoreWithSettings(deps, input.storeId);
  if (!store || store.merchantId !== merchantId) {
    throw new AppError("store_mismatch", { field: "storeId" });
  }
  const { settings } = store;
  if (!settings) throw new AppError("store_not_configured", { field: "storeId" });
  const storeId = input.storeId;

  const fiat = input.currencyIsoCode.toUpperCase();
  const scale = fiatScale(fiat, "currencyIsoCode");
  const asset = assets.get(input.cryptoSymbol, input.network, "network");
  const address = checkAddress(asset.addressFormat, input.walletAddress);
  if (!address.ok) {
    throw new AppError("invalid_address", { field: "walletAddress", message: `walletAddress is not a valid ${asset.network} address: ${address.reason}` });
  }
  if (input.fiatAmount === undefined && input.cryptoAmount === undefined) {
    throw new AppError("validation_failed", { field: "fiatAmount", message: "Give fiatAmount or cryptoAmount." });
  }
  // Fiat wins: when both are sent the crypto amount is recalculated from the fiat amount.
  const fiatMinor = input.fiatAmount !== undefined ? parseAmount(input.fiatAmount, scale, { field: "fiatAmount" }) : undefined;
  const cryptoMinor =
    fiatMinor === undefined && input.cryptoAmount !== undefined
      ? parseAmount(input.cryptoAmount, asset.decimals, { field: "cryptoAmount" })
      : undefined;
  const paymentMethod = input.paymentMethod ?? DEFAULT_PAYMENT_METHOD;
  const q = await priceIntent(deps, {
    fiat,
    crypto: asset.symbol,
    network: asset.network,
    paymentMethod,
    ...(fiatMinor !== undefined ? { fiatMinor } : {}),
    ...(cryptoMinor !== undefined ? { cryptoMinor } : {}),
  });
  const now = deps.clock.now();
  const id = deps.ids.prefixed("pi");
  const answer = (i: IntentRow, kycUrl: string | null): CreatedIntent => {
    const waitingOnKyc = i.status === S.kycNeeded || i.status === S.kycReview;
    return { paymentIntentId: id, status: i.status, kycUrl: waitingOnKyc ? kycUrl : null, orderNumber: i.order_number, checkoutUrl: checkoutUrl(deps, id) };
  };
  const draft: IntentDraft = {
    row: {
      id,
      merchant_id: merchantId,
      store_id: storeId,
      kyc_case_id: null,
      status: S.created,
      email: input.email.trim().toLowerCase(),
      country: input.countryIsoCode?.toUpperCase() ?? null,
      ip: input.ip,
      payment_method: paymentMethod,
      fiat_currency: fiat,
      fiat_minor: q.fiatMinor,
      fee_fiat_minor: q.fees.find((f) => f.name === "processing")!.amountMinor,
      crypto_symbol: asset.symbol,
      network: asset.network,
      crypto_minor: q.cryptoMinor,
      network_fee_minor: q.fees.find((f) => f.name === "network")!.amountMinor,
      rate: q.effectiveRate,
      rate_source: q.rateSource,
      rate_fetched_at: q.rateFetchedAt,
      wallet_address: input.walletAddress,
      kyc_redirect_url: input.kycRedirectUrl ?? null,
      // The store's defaults (the merchant's settings) when the request gives none.
      success_url: input.successUrl ?? settings.default_success_url,
      cancel_url: input.cancelUrl ?? settings.default_cancel_url,
      ipn_url: input.ipnUrl ?? settings.default_ipn_url,
      order_number: null,
      reference: paymentReference(pooledRandomBytes(6)),
      paid_fiat_minor: null,
      tx_hash: null,
      window_ends_at: null,
      created_at: now,
      updated_at: now,
    },
    settings,
    signals: intentSignals({ amountMinor: BigInt(q.fiatMinor), currency: fiat, email: input.email, ip: input.ip, country: input.countryIsoCode ?? null, wallet: input.walletAddress }),
    phone: phoneFrom(input),
    kycData: kycDataFrom(input),
    kycRedirectUrl: input.kycRedirectUrl ?? null,
    ...(commit ? { finish: (trx: Transaction<DB>, w: WrittenIntent) => commit(trx, answer(w.intent, w.kycUrl)) } : {}),
  };
  // An operator's audited action (a CLI simulation) keeps a transaction of its own: its entry is written there.
  const mayBeBlocked = (await readRiskSet(deps, merchantId)).rules.length > 0;
  const { intent, kycUrl, submitted } = await refuseWhenBlocked(deps, async () =>
    inAuditScope() ? (await deps.database.db.transaction().execute((trx) => writeIntents(deps, trx, [draft])))[0]! : writeIntentBatched(deps, draft, mayBeBlocked),
  );
  if (!submitted) return answer(intent, kycUrl);

  // The vendor is called after commit; its decision moves waiting intents (transitionCase → applyKycToIntents),
  // so only then is the row read again.
  await submitToVendor(deps, submitted);
  if (!commit) return answer((await findIntent(deps.database.db, id))!, kycUrl);
  return deps.database.db.transaction().execute(async (trx) => {
    const revised = answer((await findIntent(trx, id))!, kycUrl);
    await commit(trx, revised);
    return revised;
  });
}
