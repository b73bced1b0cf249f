// The ledger postings of a successful card pay-in, in the caller's transaction:
//   fiat:   clearing (the card funds the acquirer owes us) → platform funding, the fee → fee revenue;
//   crypto: platform inventory → the customer's custodial wallet.
// The crypto was already quoted net of the fee, so the wallet receives exactly the offer's amount.
import type { Transaction } from "kysely";
import type { PaymentRow } from "../../db/card/offers.js";
import type { DB } from "../../db/schema.js";
import { platformAccount } from "../../core/ledger/accounts.js";
import type { Deps } from "../deps.js";
import { platformOwnerFor } from "../merchants/test-mode.js";
import { type AccountRef, type EntryInput, postTransfer } from "../ledger/ledger.js";

export const customerWallet = (customerId: string, asset: string): AccountRef => ({ owner: `customer:${customerId}`, asset, purpose: "customer_wallet" });

export const settleTransferId = (paymentId: string) => `card:${paymentId}:settle`;

export async function creditCustomerWallet(deps: Deps, trx: Transaction<DB>, p: PaymentRow, now: Date): Promise<void> {
  // A test twin's payment moves the test platform accounts, never the live ones.
  const owner = await platformOwnerFor(deps, p.merchant_id, trx);
  const platform = (asset: string, purpose: AccountRef["purpose"]) => platformAccount(owner, asset, purpose);
  const fiat = BigInt(p.fiat_minor);
  const fee = BigInt(p.fee_minor);
  const crypto = BigInt(p.crypto_minor);
  const entries: EntryInput[] = [
    { account: platform(p.fiat, "fiat_clearing"), amountMinor: -fiat },
    { account: platform(p.fiat, "platform_funding"), amountMinor: fiat - fee },
    { account: platform(p.fiat, "fee_revenue"), amountMinor: fee },
    { account: platform(p.crypto, "platform_inventory"), amountMinor: -crypto },
    { account: customerWallet(p.customer_id, p.crypto), amountMinor: crypto },
  ].filter((e) => e.amountMinor !== 0n);
  await postTransfer(
    trx,
    { id: settleTransferId(p.id), code: "card_payin_settle", ref: { type: "card_payment", id: p.id }, entries },
    now,
  );
}
