// Payment instructions and status: what the merchant shows the payer, and the source of truth.
import { INTENT_STATUS as S, INTENT_STATUS_NAMES, type IntentStatus } from "../../core/intents/intent-status.js";
import { fiatScale } from "../../core/money/currencies.js";
import { minorToJsonNumber } from "../../core/money/decimal.js";
import { AssetRegistry } from "../../core/money/assets.js";
import { AppError } from "../../core/shared/errors.js";
import type { IntentRow, IntentStatusRow } from "../../db/intents/intents.js";
import type { Deps } from "../deps.js";
import { getMerchantIntent } from "./intent-lifecycle.js";
import { readIntentStatus } from "./status-cache.js";

const assets = new AssetRegistry();

export async function intentStatus(deps: Deps, merchantId: string, id: string) {
  return statusView(await readIntentStatus(deps, merchantId, id));
}

/** The status answer; also built from the row a change returns (a cancel answers what it committed). */
export function statusView(i: IntentStatusRow) {
  return {
    paymentIntentId: i.id,
    status: i.status,
    statusName: INTENT_STATUS_NAMES[i.status as IntentStatus],
    orderNumber: i.order_number,
    txHash: i.tx_hash,
  };
}

export async function intentInstructions(deps: Deps, merchantId: string, id: string) {
  const i = await getMerchantIntent(deps, merchantId, id);
  if (i.status !== S.readyToPay) {
    throw new AppError("intent_not_ready", {
      message: `Instructions are available in status 4; this intent is in status ${i.status} (${INTENT_STATUS_NAMES[i.status as IntentStatus]}).`,
      details: { currentStatus: i.status },
    });
  }
  const bank = bankSnapshot(i);
  const scale = fiatScale(i.fiat_currency);
  const decimals = assets.get(i.crypto_symbol, i.network).decimals;
  return {
    paymentIntentId: i.id,
    orderNumber: i.order_number,
    fiatAmount: minorToJsonNumber(BigInt(i.fiat_minor), scale),
    currencyIsoCode: i.fiat_currency,
    cryptoAmount: minorToJsonNumber(BigInt(i.crypto_minor), decimals),
    cryptoSymbol: i.crypto_symbol,
    network: i.network,
    walletAddress: i.wallet_address,
    rate: i.rate,
    fees: {
      fiat: minorToJsonNumber(BigInt(i.fee_fiat_minor), scale),
      network: minorToJsonNumber(BigInt(i.network_fee_minor), decimals),
    },
    expiresAt: i.window_ends_at?.toISOString() ?? null,
    bankTransfer: { ...bank, reference: i.reference },
  };
}

/**
 * The store's bank details as they were when the intent entered 4 (copied by transitionIntent, and by
 * migration 0010 for older intents), so a payer's account never changes under them. Missing only if a
 * row was moved to 4 by hand: better refuse than show an empty account.
 */
function bankSnapshot(i: IntentRow) {
  const { bank_iban: iban, bank_bic: bic, bank_beneficiary: beneficiary, bank_name: bankName } = i;
  if (iban === null || bic === null || beneficiary === null || bankName === null) throw new Error(`intent ${i.id} is at status 4 without bank details`);
  return { iban, bic, beneficiary, bankName };
}
