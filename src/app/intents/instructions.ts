// Payment instructions and status: what the merchant shows the payer, and the source of truth.
import { INTENT_STATUS as S, INTENT_STATUS_NAMES, type IntentStatus } from "../../core/intents/intent-status.js";
import { fiatScale } from "../../core/money/currencies.js";
import { minorToJsonNumber } from "../../core/money/decimal.js";
import { AssetRegistry } from "../../core/money/assets.js";
import { AppError } from "../../core/shared/errors.js";
import { findIntentSettings, type IntentStatusRow } from "../../db/intents/intents.js";
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
  const settings = (await findIntentSettings(deps.database.db, i.store_id))!;
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
    bankTransfer: {
      iban: settings.bank_iban,
      bic: settings.bank_bic,
      beneficiary: settings.bank_beneficiary,
      bankName: settings.bank_name,
      reference: i.reference,
    },
  };
}
