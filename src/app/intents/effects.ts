// What an intent asks of the ledger: the account names and transfer ids of a payment intent, in one
// place. All calls run in the caller's transaction.
//
//   fiat in   (on 5):   fiat clearing → platform fiat inventory (net) + fee revenue (processing fee)
//   payout    (on 5):   platform crypto inventory → payout in flight
//   sent      (on 6):   payout in flight → the customer's wallet, which the chain has now delivered
//   gas       (on 6):   network fees (expense) → chain clearing, in the network's coin, when the chain reports it
//   failed    (10000):  the payout transfer is reversed
//   refund    (12):     the fiat-in transfer is reversed (the whole amount goes back, fee included)
import type { Transaction } from "kysely";
import type { DB } from "../../db/schema.js";
import type { IntentRow } from "../../db/intents/intents.js";
import type { Deps } from "../deps.js";
import { type NetworkFee, postNetworkFee } from "../chain/network-fee.js";
import { platformAccount } from "../../core/ledger/accounts.js";
import { type AccountRef, postTransfer, reverseTransfer } from "../ledger/ledger.js";
import { platformOwnerFor } from "../merchants/test-mode.js";

/** The intent's merchant's platform accounts: the test ones for a test twin's intent. */
async function platformOf(deps: Deps, trx: Transaction<DB>, i: IntentRow) {
  const owner = await platformOwnerFor(deps, i.merchant_id, trx);
  return (asset: string, purpose: AccountRef["purpose"]) => platformAccount(owner, asset, purpose);
}
const customerWallet = (userId: string, asset: string): AccountRef => ({ owner: `customer:${userId}`, asset, purpose: "customer_wallet" });
const ref = (i: IntentRow) => ({ type: "payment_intent", id: i.id });

/** One fiat-in transfer per incoming bank transfer: a second payment is booked (and refunded) too. */
const fiatInTransferId = (intentId: string, externalId: string) => `intent:${intentId}:fiat_in:${externalId}`;
const payoutTransferId = (intentId: string) => `intent:${intentId}:payout`;

/**
 * Books a received bank transfer of `paidMinor` in `currency`, with the processing fee it carries. The
 * currency is the transfer's, not the intent's: money in another currency (refunded, fee 0) is booked
 * as what arrived, never as that many minor units of the intent's currency.
 */
export async function bookFiatIn(
  deps: Deps,
  trx: Transaction<DB>,
  i: IntentRow,
  t: { externalId: string; currency: string; paidMinor: bigint; feeMinor: bigint },
): Promise<void> {
  const { currency, paidMinor, feeMinor } = t;
  const platform = await platformOf(deps, trx, i);
  const entries = [
    { account: platform(currency, "fiat_clearing"), amountMinor: -paidMinor },
    { account: platform(currency, "platform_inventory"), amountMinor: paidMinor - feeMinor },
    { account: platform(currency, "fee_revenue"), amountMinor: feeMinor },
  ].filter((e) => e.amountMinor !== 0n);
  await postTransfer(trx, { id: fiatInTransferId(i.id, t.externalId), code: "intent_fiat_in", ref: ref(i), entries }, deps.clock.now());
}

/** Sends a received transfer back: the reversal of its fiat-in transfer. */
export async function refundFiatIn(deps: Deps, trx: Transaction<DB>, i: IntentRow, externalId: string): Promise<void> {
  await reverseTransfer(
    trx,
    { id: `intent:${i.id}:refund:${externalId}`, originalId: fiatInTransferId(i.id, externalId), code: "intent_refund" },
    deps.clock.now(),
  );
}

/** Moves the crypto owed into "payout in flight" before anything is sent. */
export async function holdPayout(deps: Deps, trx: Transaction<DB>, i: IntentRow): Promise<void> {
  const amount = BigInt(i.crypto_minor);
  const platform = await platformOf(deps, trx, i);
  await postTransfer(
    trx,
    {
      id: payoutTransferId(i.id),
      code: "intent_payout_hold",
      ref: ref(i),
      entries: [
        { account: platform(i.crypto_symbol, "platform_inventory"), amountMinor: -amount },
        { account: platform(i.crypto_symbol, "payout_in_flight"), amountMinor: amount },
      ],
    },
    deps.clock.now(),
  );
}

export async function settlePayout(deps: Deps, trx: Transaction<DB>, i: IntentRow): Promise<void> {
  const amount = BigInt(i.crypto_minor);
  const platform = await platformOf(deps, trx, i);
  await postTransfer(
    trx,
    {
      id: `intent:${i.id}:payout_sent`,
      code: "intent_payout_sent",
      ref: ref(i),
      entries: [
        { account: platform(i.crypto_symbol, "payout_in_flight"), amountMinor: -amount },
        { account: customerWallet(i.user_id, i.crypto_symbol), amountMinor: amount },
      ],
    },
    deps.clock.now(),
  );
}

/** The gas the confirmed payout's transaction cost the hot wallet, paid by the platform. */
export async function bookPayoutGas(deps: Deps, trx: Transaction<DB>, i: IntentRow, fee: NetworkFee): Promise<void> {
  await postNetworkFee(deps, trx, { id: `intent:${i.id}:network_fee`, code: "intent_payout_network_fee", ref: ref(i) }, fee, await platformOwnerFor(deps, i.merchant_id, trx));
}

export async function reversePayout(deps: Deps, trx: Transaction<DB>, i: IntentRow): Promise<void> {
  await reverseTransfer(trx, { id: `intent:${i.id}:payout_reversed`, originalId: payoutTransferId(i.id), code: "intent_payout_reversed" }, deps.clock.now());
}
