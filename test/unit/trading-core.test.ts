import assert from "node:assert/strict";
import { test } from "node:test";
import { amountLimitBreach, closestFreeAmount, rangeGrid } from "../../src/core/trading/allocation.js";
import { formatFiatAmount, formatFiatBound, parseFiatAmount } from "../../src/core/trading/fiat-amount.js";
import { TRADING_MACHINE } from "../../src/core/trading/payin-status.js";
import { tradingMessage } from "../../src/http/dialects/trading/error-envelope.js";

test("transition table is exactly the spec's graph, plus the payer's claim that records an event and keeps the status", () => {
  const all = Object.entries(TRADING_MACHINE.transitions).flatMap(([a, t]) => t.from.map((f) => ({ from: f, to: t.to, edge: `${f} -${a}-> ${t.to}` })));
  // The spec's graph has only status changes; Rampart's one self-loop is the payer's "I have paid".
  assert.deepEqual(all.filter((e) => e.from === e.to).map((e) => e.edge), ["active -payer_claim-> active"]);
  const edges = all.filter((e) => e.from !== e.to).map((e) => e.edge).sort();
  assert.deepEqual(edges, [
    "active -cancel-> canceled",
    "active -expire-> canceled",
    "active -open_dispute-> dispute",
    "active -pay-> closed",
    "canceled -open_dispute-> dispute",
    "checking -resolve_not_paid-> canceled",
    "checking -resolve_paid-> closed",
    "checking -resolve_recalculate-> re_calculation",
    "dispute -auto_resolve-> closed",
    "dispute -open_review-> checking",
    "dispute -resolve_not_paid-> canceled",
    "dispute -resolve_paid-> closed",
    "re_calculation -settle_recalculated-> closed",
  ]);
});

test("fiat amounts: numbers and decimal strings in, 2-decimal strings out", () => {
  assert.equal(parseFiatAmount(5000), 500000n);
  assert.equal(parseFiatAmount(5000.5), 500050n);
  assert.equal(parseFiatAmount("6030.00"), 603000n);
  assert.equal(parseFiatAmount("0.01"), 1n);
  for (const bad of [0, -1, "1.001", "abc", "", null, Number.NaN, Infinity, "1e3", 1.005]) assert.equal(parseFiatAmount(bad), null, String(bad));
  assert.equal(formatFiatAmount(603000n), "6030.00");
  assert.equal(formatFiatAmount(5n), "0.05");
  assert.equal(formatFiatBound(10000n), "100");
  assert.equal(formatFiatBound(10050n), "100.50");
});

test("range allocation: closest to the midpoint first, at the step granularity, every slot once", () => {
  const req = { kind: "range" as const, minMinor: 499000n, maxMinor: 501000n };
  const taken = new Set<bigint>();
  const got: bigint[] = [];
  for (;;) {
    const a = closestFreeAmount(req, 100n, taken);
    if (a === null) break;
    got.push(a);
    taken.add(a);
  }
  assert.equal(got.length, 21);
  assert.equal(got[0], 500000n);
  assert.deepEqual(got.slice(1, 3), [499900n, 500100n]);
  assert.deepEqual(new Set(got).size, 21);
  assert.ok(got.every((a) => a % 100n === 0n && a >= 499000n && a <= 501000n));
  assert.deepEqual(rangeGrid(150n, 450n, 100n), { first: 200n, last: 400n, count: 3n });
  assert.equal(rangeGrid(110n, 190n, 100n), null);
  assert.equal(closestFreeAmount({ kind: "exact", amountMinor: 5n }, 100n, new Set([5n])), null);
});

test("amount limits name the bound", () => {
  assert.deepEqual(amountLimitBreach({ kind: "exact", amountMinor: 50n }, { minMinor: 100n, maxMinor: 1000n }), { kind: "min", boundMinor: 100n });
  assert.deepEqual(amountLimitBreach({ kind: "range", minMinor: 100n, maxMinor: 2000n }, { minMinor: 100n, maxMinor: 1000n }), { kind: "max", boundMinor: 1000n });
  assert.equal(amountLimitBreach({ kind: "exact", amountMinor: 100n }, { minMinor: 100n, maxMinor: 1000n }), null);
});

test("error envelope messages are the dialect's codes", () => {
  const e = (code: string, extra: object = {}) => tradingMessage({ status: 403, code, message: "x", internal: false, ...extra });
  assert.equal(e("no_requisite_available"), "CANT_CREATE_TRADE_FOR_THIS_AMOUNT");
  assert.equal(e("fiat_amount_too_small", { details: { bound: "100" } }), "MIN_FIAT_AMOUNT_SHOULD_BE_100");
  assert.equal(e("fiat_amount_too_large", { details: { bound: "300000" } }), "MAX_FIAT_AMOUNT_SHOULD_BE_300000");
  assert.equal(e("method_not_available", { details: { method: "sbp" } }), "SBP_METHOD_DISABLED_PLEASE_CONTACT_SUPPORT");
  const refused = { status: 409, code: "illegal_transition", message: "Cannot resolve as paid a pay-in that is under review", internal: false };
  assert.equal(
    tradingMessage({ ...refused, transition: { entity: "pay-in", action: "resolve_recalculate", currentStatus: "re_calculation" } }),
    "CANNOT_RESOLVE_RECALCULATE_PAY_IN_IN_STATUS_RE_CALCULATION",
    "the dialect's code is built from the action and the status, not from the plain-words message",
  );
  assert.equal(e("validation_failed", { field: "fiatAmountRange.min" }), "INVALID_FIAT_AMOUNT_RANGE_MIN");
  assert.equal(e("unauthorized"), "UNAUTHORIZED");
});
