// A sent payout's polls: every second at first, then doubling every 30 polls, never more than a minute
// apart however long it goes (it is never given up).
import assert from "node:assert/strict";
import { test } from "node:test";
import { payoutPollDelayMs } from "../../src/core/chain/payout-polling.js";

test("a payout is polled every second for 30 polls, then less often, capped at a minute, forever", () => {
  assert.equal(payoutPollDelayMs(1), 1000);
  assert.equal(payoutPollDelayMs(30), 1000);
  assert.equal(payoutPollDelayMs(31), 2000);
  assert.equal(payoutPollDelayMs(61), 4000);
  assert.equal(payoutPollDelayMs(151), 32_000);
  assert.equal(payoutPollDelayMs(181), 60_000);
  assert.equal(payoutPollDelayMs(500), 60_000);
  assert.equal(payoutPollDelayMs(1_000_000_000), 60_000);
});
