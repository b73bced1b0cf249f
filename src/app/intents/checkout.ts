// The hosted checkout of a payment intent (checkoutUrl): what the payer's page shows at each status.
// Its link is the intent id signed with the instance secret (auth/signed-link.ts), so the create and
// every status read can give it again without storing it. While the intent waits for KYC, the page
// sends the payer to the hosted KYC page through a link derived the same way (one per intent, made
// on first use, expiring with the KYC window) that returns to the checkout.
import { INTENT_STATUS as S } from "../../core/intents/intent-status.js";
import { epcQrPayload } from "../../core/intents/epc-qr.js";
import { findMerchant } from "../../db/credentials.js";
import { findIntent, type IntentRow } from "../../db/intents/intents.js";
import { ensureKycLink } from "../../db/kyc/kyc.js";
import { idOfSignedLink, linkMac, signedLinkToken } from "../auth/signed-link.js";
import type { Deps } from "../deps.js";
import { hashLinkToken } from "../kyc/kyc-cases.js";
import { instructionsOf } from "./instructions.js";
import { readAnyIntentStatus } from "./status-cache.js";

const INTENT_ID = /^pi_[0-9a-z]{20,40}$/;

export function checkoutUrl(deps: Pick<Deps, "config">, intentId: string): string {
  return `${deps.config.publicUrl}/checkout/${signedLinkToken(deps.config.secretKey, "intent-checkout-link", intentId)}`;
}

function intentIdOfCheckout(deps: Pick<Deps, "config">, token: string): string | null {
  return idOfSignedLink(deps.config.secretKey, "intent-checkout-link", token, INTENT_ID);
}

/** Where the payer goes back to once nothing is left to do here: the shop's success or cancel page. */
function returnUrlOf(i: Pick<IntentRow, "status" | "success_url" | "cancel_url">): string | null {
  switch (i.status) {
    case S.done:
      return i.success_url;
    case S.timedOut:
    case S.cancelled:
    case S.kycFailed:
    case S.countryNotServed:
    case S.refunded:
    case S.failed:
      return i.cancel_url;
    default:
      return null; // still in progress: the page follows it
  }
}

function explorerUrl(deps: Pick<Deps, "config">, network: string, txHash: string | null): string | null {
  const template = deps.config.explorers[network];
  return template && txHash ? template.replace("{tx}", encodeURIComponent(txHash)) : null;
}

export interface CheckoutView {
  intent: IntentRow;
  merchantName: string;
  /** Same-origin path of the KYC page while the intent waits at 2. */
  kycPath: string | null;
  instructions: ReturnType<typeof instructionsOf> | null;
  /** EPC069-12 payload for the QR code (euro transfers only). */
  epcPayload: string | null;
  explorerUrl: string | null;
  returnUrl: string | null;
}

/** The page's content for a checkout token, or null for a token that is not ours. */
export async function checkoutView(deps: Deps, token: string): Promise<CheckoutView | null> {
  const id = intentIdOfCheckout(deps, token);
  const intent = id ? await findIntent(deps.database.db, id) : undefined;
  if (!intent) return null;
  const merchant = await findMerchant(deps.database.db, intent.merchant_id);
  const instructions = intent.status === S.readyToPay ? instructionsOf(intent) : null;
  return {
    intent,
    merchantName: merchant?.name ?? "",
    kycPath: intent.status === S.kycNeeded ? await checkoutKycPath(deps, intent) : null,
    instructions,
    epcPayload: instructions
      ? epcQrPayload({
          bic: instructions.bankTransfer.bic,
          beneficiary: instructions.bankTransfer.beneficiary,
          iban: instructions.bankTransfer.iban,
          amountMinor: BigInt(intent.fiat_minor),
          currency: intent.fiat_currency,
          reference: instructions.bankTransfer.reference,
        })
      : null,
    explorerUrl: explorerUrl(deps, intent.network, intent.tx_hash),
    returnUrl: returnUrlOf(intent),
  };
}

/** The little the page's live status needs, read through the notified status cache. */
export async function checkoutStatus(deps: Deps, token: string): Promise<{ status: number; txHash: string | null } | null> {
  const id = intentIdOfCheckout(deps, token);
  const row = id ? await readAnyIntentStatus(deps, id) : undefined;
  return row ? { status: row.status, txHash: row.tx_hash } : null;
}

async function checkoutKycPath(deps: Deps, intent: IntentRow): Promise<string | null> {
  if (!intent.kyc_case_id || !intent.window_ends_at) return null;
  const token = linkMac(deps.config.secretKey, "intent-checkout-kyc", intent.id).toString("base64url");
  await ensureKycLink(deps.database.db, {
    tokenHash: hashLinkToken(token),
    caseId: intent.kyc_case_id,
    redirectUrl: checkoutUrl(deps, intent.id),
    expiresAt: intent.window_ends_at,
  });
  return `/kyc/${token}`;
}
