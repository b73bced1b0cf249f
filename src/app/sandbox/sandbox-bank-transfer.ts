// The sandbox bank feed (sandbox mode; in a live installation, test keys only): simulates a transfer
// arriving on a trader's requisite or carrying a payment-intent reference, and hands it to the one
// inbound path like any real feed. A merchant key may only pay that merchant's own pay-ins and intents
// (another's is not found); the operator key may deliver anything, including transfers that match nothing.
import { fiatScale } from "../../core/money/currencies.js";
import { parseAmount } from "../../core/money/decimal.js";
import { AppError } from "../../core/shared/errors.js";
import { INT8_MAX } from "../../core/shared/int8.js";
import { findRequisite } from "../../db/trading/requisites.js";
import { type ReceivedBankTransfer, receiveBankTransfer } from "../bank-transfers/receive-bank-transfer.js";
import { noMatchInScope } from "../bank-transfers/transfer-match.js";
import type { Deps } from "../deps.js";

const SANDBOX_FEED = "sandbox";

interface SandboxTransferInput {
  requisiteId?: string | undefined;
  reference?: string | undefined;
  amount: number | string;
  /** Defaults to the requisite's currency; required with a reference. */
  currency?: string | undefined;
  payerName?: string | undefined;
  payerIban?: string | undefined;
  /** The bank's id of the transfer; a repeat is ignored. Generated when absent. */
  externalId?: string | undefined;
}

/** Who is simulating: a merchant (scoped to its own payments) or the operator. */
export type SandboxActor = { merchantId: string } | { operator: true };

export async function sandboxBankTransfer(deps: Deps, actor: SandboxActor, input: SandboxTransferInput): Promise<ReceivedBankTransfer> {
  if ((input.requisiteId === undefined) === (input.reference === undefined)) {
    throw new AppError("validation_failed", { field: "requisiteId", message: "Send exactly one of requisiteId or reference" });
  }
  // In a live installation only a test key gets here (the route refuses the rest): its transfers are kept
  // apart from the live feed's (see MatchScope.ownOnly and the namespaced external id below).
  const merchantId = "merchantId" in actor ? actor.merchantId : null;
  const ownOnly = deps.config.mode !== "sandbox" && merchantId !== null;
  let currency = input.currency?.toUpperCase();
  if (input.requisiteId !== undefined) {
    const requisite = await findRequisite(deps.database.db, input.requisiteId);
    if (!requisite) throw ownOnly ? noMatchInScope() : new AppError("not_found", { message: "Requisite not found", field: "requisiteId" });
    currency ??= requisite.fiat_currency;
  }
  if (currency === undefined) throw new AppError("validation_failed", { field: "currency", message: "currency is required with a reference" });
  const amountMinor = parseAmount(input.amount, fiatScale(currency), { field: "amount" });
  if (amountMinor <= 0n) throw new AppError("invalid_amount", { field: "amount", message: "The amount must be positive." });
  if (amountMinor > INT8_MAX) throw new AppError("amount_above_maximum", { field: "amount" });
  const externalId = input.externalId ?? deps.ids.prefixed("sbx");
  return receiveBankTransfer(
    deps,
    {
      // external_id is unique across feeds: a live test key's ids get their own namespace, so they can
      // neither squat a real statement line's id (stmt:…) nor, resent, answer with a live transfer's outcome.
      externalId: ownOnly ? `sandbox:${merchantId}:${externalId}` : externalId,
      feed: SANDBOX_FEED,
      amountMinor,
      currency,
      requisiteId: input.requisiteId ?? null,
      reference: input.reference ?? null,
      payerName: input.payerName ?? null,
      payerIban: input.payerIban ?? null,
      receivedAt: deps.clock.now(),
    },
    { merchantId, ownOnly },
  );
}
