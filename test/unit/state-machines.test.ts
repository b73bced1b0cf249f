import assert from "node:assert/strict";
import { test } from "node:test";
import type { Selectable } from "kysely";
import { CARD_PAYMENT_MACHINE } from "../../src/core/card/payment-status.js";
import { EVM_DEPOSIT_MACHINE } from "../../src/core/chain/evm-deposit.js";
import { INTENT_MACHINE } from "../../src/core/intents/intent-status.js";
import { KYC_MACHINE } from "../../src/core/kyc/kyc-case.js";
import { IllegalTransitionError } from "../../src/core/shared/errors.js";
import type { Machine } from "../../src/core/shared/state-machine.js";
import { TRADING_MACHINE } from "../../src/core/trading/payin-status.js";
import { WITHDRAWAL_MACHINE } from "../../src/core/withdrawals/withdrawal-status.js";
import type { CardPaymentsTable } from "../../src/db/tables/card.js";
import type { KycCasesTable, PaymentIntentsTable } from "../../src/db/tables/intents.js";
import type { TradingPayinsTable } from "../../src/db/tables/trading.js";

const MACHINES = { trading: TRADING_MACHINE, intents: INTENT_MACHINE, kyc: KYC_MACHINE, card: CARD_PAYMENT_MACHINE, evmDeposits: EVM_DEPOSIT_MACHINE, withdrawals: WITHDRAWAL_MACHINE } as Record<
  string,
  Machine<string | number, string>
>;

test("every machine: an allowed (status, action) leads to its target, any other is a 409 naming the action and the status in words", () => {
  for (const [name, m] of Object.entries(MACHINES)) {
    for (const s of m.statuses) {
      assert.ok(m.isStatus(s), `${name}: ${s}`);
      for (const [action, t] of Object.entries(m.transitions)) {
        if (t.from.includes(s)) {
          assert.equal(m.can(s, action), true);
          assert.equal(m.next(s, action), t.to, `${name}: ${s} -${action}->`);
          continue;
        }
        assert.equal(m.can(s, action), false);
        assert.throws(
          () => m.next(s, action),
          (e: unknown) =>
            e instanceof IllegalTransitionError &&
            e.status === 409 &&
            e.code === "illegal_transition" &&
            e.message === `Cannot ${t.verb} ${m.noun} that is ${m.statusWords[s]}` &&
            e.details?.currentStatus === s &&
            e.transition.action === action &&
            e.transition.entity === m.entity,
          `${name}: ${s} -${action}->`,
        );
      }
    }
    assert.equal(m.isStatus("bogus"), false);
  }
});

test("the messages read as plain sentences", () => {
  const message = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return (e as Error).message;
    }
    return "no error";
  };
  assert.equal(message(() => TRADING_MACHINE.next("dispute", "resolve_recalculate")), "Cannot recalculate a pay-in that is in dispute");
  assert.equal(message(() => TRADING_MACHINE.next("closed", "cancel")), "Cannot cancel a pay-in that is closed");
  assert.equal(message(() => INTENT_MACHINE.next(6, "cancel")), "Cannot cancel a payment intent that is completed (status 6)");
  assert.equal(message(() => KYC_MACHINE.next("approved", "support_reject")), "Cannot reject a KYC case that is approved");
  assert.equal(message(() => CARD_PAYMENT_MACHINE.next("succeeded", "challenge_passed")), "Cannot pass 3-D Secure on a card payment that is successful");
  assert.equal(message(() => WITHDRAWAL_MACHINE.next("sent", "approve")), "Cannot approve a withdrawal that is sent and waiting for confirmations (sent)");
});

test("the status columns are the core unions: an unknown status does not compile", () => {
  const rows: { trading: Selectable<TradingPayinsTable>["status"]; intent: Selectable<PaymentIntentsTable>["status"]; kyc: Selectable<KycCasesTable>["status"]; card: Selectable<CardPaymentsTable>["status"] }[] = [
    { trading: "closed", intent: 6, kyc: "approved", card: "succeeded" },
    // @ts-expect-error trading: "paid" is not a pay-in status
    { trading: "paid", intent: 6, kyc: "approved", card: "succeeded" },
    // @ts-expect-error intent: 7 is not an intent status
    { trading: "closed", intent: 7, kyc: "approved", card: "succeeded" },
    // @ts-expect-error kyc: "accepted" is not a KYC case status
    { trading: "closed", intent: 6, kyc: "accepted", card: "succeeded" },
    // @ts-expect-error card: "paid" is not a card payment status
    { trading: "closed", intent: 6, kyc: "approved", card: "paid" },
  ];
  assert.equal(rows.length, 5, "checked by npm run typecheck; at run time there is nothing to see");
});
