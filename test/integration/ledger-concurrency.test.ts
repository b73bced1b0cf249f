// Races against real PostgreSQL sessions: the no-negative rule and idempotency must hold when many
// transactions hit the same accounts at once.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type AccountRef, getBalance, postTransfer, type TransferInput } from "../../src/app/ledger/ledger.js";
import { AppError } from "../../src/core/shared/errors.js";
import { createHarness, type Harness } from "../support/harness.js";
import { usePostgres } from "../support/test-db.js";

const funding: AccountRef = { owner: "platform", asset: "USDT", purpose: "platform_funding" };
const trader = (id: string): AccountRef => ({ owner: `trader:${id}`, asset: "USDT", purpose: "trader_deposit" });
const merchant = (id: string): AccountRef => ({ owner: `merchant:${id}`, asset: "USDT", purpose: "merchant_balance" });
const move = (id: string, from: AccountRef, to: AccountRef, amount: bigint, pending?: object): TransferInput => ({
  id,
  code: "test_move",
  ref: { type: "test", id },
  entries: [
    { account: from, amountMinor: -amount },
    { account: to, amountMinor: amount },
  ],
  ...(pending ? { pending } : {}),
});

describe("ledger under concurrency (PostgreSQL)", { skip: !usePostgres() && "DATABASE_URL not set" }, () => {
  let h: Harness;
  before(async () => {
    h = await createHarness({ poolSize: 20 });
  });
  after(async () => {
    await h.close();
  });

  const attempt = async (t: TransferInput): Promise<"ok" | "insufficient"> => {
    try {
      await h.deps.database.db.transaction().execute((trx) => postTransfer(trx, t, h.clock.now()));
      return "ok";
    } catch (err) {
      if (err instanceof AppError && err.code === "insufficient_funds") return "insufficient";
      throw err;
    }
  };

  test("50 concurrent debits of 1 on a 10-unit account: exactly 10 succeed, balance 0", async () => {
    await attempt(move("fund:c1", funding, trader("c1"), 10n));
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => attempt(move(`spend:c1:${i}`, trader("c1"), merchant("c1"), 1n))));
    assert.equal(results.filter((r) => r === "ok").length, 10);
    assert.equal(results.filter((r) => r === "insufficient").length, 40);
    assert.deepEqual(await getBalance(h.deps.database.db, trader("c1")), { posted: 0n, pending: 0n, available: 0n, pendingDebits: 0n, pendingCredits: 0n });
    assert.equal((await getBalance(h.deps.database.db, merchant("c1"))).posted, 10n);
  });

  test("50 concurrent holds of 3 on a 10-unit account: exactly 3 succeed", async () => {
    await attempt(move("fund:c2", funding, trader("c2"), 10n));
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => attempt(move(`hold:c2:${i}`, trader("c2"), merchant(`c2-${i % 5}`), 3n, {}))));
    assert.equal(results.filter((r) => r === "ok").length, 3);
    assert.deepEqual(await getBalance(h.deps.database.db, trader("c2")), { posted: 10n, pending: -9n, available: 1n, pendingDebits: 9n, pendingCredits: 0n });
  });

  test("the same transfer id posted by 20 transactions at once is booked once", async () => {
    await attempt(move("fund:c3", funding, trader("c3"), 100n));
    const created = await Promise.all(
      Array.from({ length: 20 }, () =>
        h.deps.database.db.transaction().execute((trx) => postTransfer(trx, move("pay:c3", trader("c3"), merchant("c3"), 7n), h.clock.now())),
      ),
    );
    assert.equal(created.filter((r) => r.created).length, 1);
    assert.equal((await getBalance(h.deps.database.db, trader("c3"))).posted, 93n);
  });
});
