import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql, type Transaction } from "kysely";
import {
  type AccountRef,
  expirePendingTransfers,
  getBalance,
  postPending,
  postTransfer,
  postTransfers,
  reverseTransfer,
  type TransferInput,
  voidPending,
} from "../../src/app/ledger/ledger.js";
import { InvalidTransferError } from "../../src/core/ledger/transfer.js";
import { AppError } from "../../src/core/shared/errors.js";
import type { DB } from "../../src/db/schema.js";
import { expireHoldsTask } from "../../src/jobs/expire-holds.js";
import { createHarness, type Harness } from "../support/harness.js";

const funding: AccountRef = { owner: "platform", asset: "USDT", purpose: "platform_funding" };
const fees: AccountRef = { owner: "platform", asset: "USDT", purpose: "fee_revenue" };
const trader = (id: string): AccountRef => ({ owner: `trader:${id}`, asset: "USDT", purpose: "trader_deposit" });
const merchant = (id: string): AccountRef => ({ owner: `merchant:${id}`, asset: "USDT", purpose: "merchant_balance" });

const move = (id: string, from: AccountRef, to: AccountRef, amount: bigint, extra: Partial<TransferInput> = {}): TransferInput => ({
  id,
  code: "test_move",
  ref: { type: "test", id },
  entries: [
    { account: from, amountMinor: -amount },
    { account: to, amountMinor: amount },
  ],
  ...extra,
});

async function rejects(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => err instanceof AppError && err.code === code);
}

describe("ledger", () => {
  let h: Harness;
  const run = <T>(fn: (trx: Transaction<DB>) => Promise<T>) => h.deps.database.db.transaction().execute(fn);
  const now = () => h.clock.now();

  before(async () => {
    h = await createHarness();
  });
  after(async () => {
    await h.close(); // verifies the ledger: any drift left by these tests fails here
  });

  test("a posted transfer moves balances and the platform may go negative", async () => {
    const r = await run((trx) => postTransfer(trx, move("fund:t1", funding, trader("t1"), 1000n), now()));
    assert.deepEqual(r, { transferId: "fund:t1", created: true });
    const t = await getBalance(h.deps.database.db, trader("t1"));
    assert.deepEqual(t, { posted: 1000n, pending: 0n, available: 1000n, pendingDebits: 0n, pendingCredits: 0n });
    assert.equal((await getBalance(h.deps.database.db, funding)).posted <= -1000n, true);
    assert.deepEqual(await getBalance(h.deps.database.db, trader("nobody")), { posted: 0n, pending: 0n, available: 0n, pendingDebits: 0n, pendingCredits: 0n });
  });

  test("same id again is a no-op; same id with other entries is transfer_id_conflict", async () => {
    const again = await run((trx) => postTransfer(trx, move("fund:t1", funding, trader("t1"), 1000n), now()));
    assert.deepEqual(again, { transferId: "fund:t1", created: false });
    assert.equal((await getBalance(h.deps.database.db, trader("t1"))).posted, 1000n);
    await rejects(run((trx) => postTransfer(trx, move("fund:t1", funding, trader("t1"), 999n), now())), "transfer_id_conflict");
    await rejects(run((trx) => postTransfer(trx, move("fund:t1", funding, trader("t1"), 1000n, { pending: {} }), now())), "transfer_id_conflict");
  });

  test("core refuses an unbalanced or empty transfer", async () => {
    const bad: TransferInput = { id: "bad:1", code: "x", ref: { type: "t", id: "1" }, entries: [{ account: funding, amountMinor: -5n }, { account: trader("t1"), amountMinor: 4n }] };
    await assert.rejects(run((trx) => postTransfer(trx, bad, now())), InvalidTransferError);
    await assert.rejects(run((trx) => postTransfer(trx, move("bad:2", trader("t1"), trader("t1"), 5n), now())), InvalidTransferError);
    const mixed: TransferInput = {
      id: "bad:3",
      code: "x",
      ref: { type: "t", id: "1" },
      entries: [{ account: funding, amountMinor: -5n }, { account: { ...trader("t1"), asset: "BTC" }, amountMinor: 5n }],
    };
    await assert.rejects(run((trx) => postTransfer(trx, mixed, now())), InvalidTransferError);
  });

  test("the database refuses an unbalanced transfer at commit, and any update or delete", async () => {
    const db = h.deps.database.db;
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await sql`INSERT INTO ledger_transfers (id, code, ref_type, ref_id, created_at) VALUES ('raw:1', 'x', 't', '1', now())`.execute(trx);
        const acc = await trx.selectFrom("ledger_accounts").select(["id", "asset"]).limit(2).execute();
        await sql`INSERT INTO ledger_entries (transfer_id, account_id, asset, amount) VALUES ('raw:1', ${acc[0]!.id}, ${acc[0]!.asset}, 5), ('raw:1', ${acc[1]!.id}, ${acc[1]!.asset}, -4)`.execute(trx);
      }),
      /does not balance/,
    );
    await assert.rejects(
      sql`INSERT INTO ledger_transfers (id, code, ref_type, ref_id, created_at) VALUES ('raw:2', 'x', 't', '1', now())`.execute(db),
      /needs at least 2|has 0 entries/,
    );
    await assert.rejects(sql`UPDATE ledger_entries SET amount = amount + 1`.execute(db), /append-only/);
    await assert.rejects(sql`DELETE FROM ledger_transfers`.execute(db), /append-only/);
    await assert.rejects(sql`DELETE FROM ledger_entries`.execute(db), /append-only/);
    await assert.rejects(sql`UPDATE ledger_accounts SET no_negative = false`.execute(db), /append-only/);
    await assert.rejects(sql`TRUNCATE ledger_transfer_resolutions CASCADE`.execute(db), /append-only/);
  });

  test("a no-negative account cannot be overdrawn, counting pending debits", async () => {
    await run((trx) => postTransfer(trx, move("fund:t2", funding, trader("t2"), 100n), now()));
    await run((trx) => postTransfer(trx, move("hold:t2:a", trader("t2"), merchant("m2"), 60n, { pending: {} }), now()));
    assert.deepEqual(await getBalance(h.deps.database.db, trader("t2")), { posted: 100n, pending: -60n, available: 40n, pendingDebits: 60n, pendingCredits: 0n });
    // The merchant's pending credit is not spendable yet.
    assert.equal((await getBalance(h.deps.database.db, merchant("m2"))).available, 0n);
    await rejects(run((trx) => postTransfer(trx, move("spend:m2", merchant("m2"), fees, 1n), now())), "insufficient_funds");
    await rejects(run((trx) => postTransfer(trx, move("hold:t2:b", trader("t2"), merchant("m2"), 41n, { pending: {} }), now())), "insufficient_funds");
    await run((trx) => postTransfer(trx, move("hold:t2:c", trader("t2"), merchant("m2"), 40n), now()));
    assert.equal((await getBalance(h.deps.database.db, trader("t2"))).available, 0n);
    // Nothing of a refused transfer was written.
    assert.equal(await h.deps.database.db.selectFrom("ledger_transfers").select("id").where("id", "=", "hold:t2:b").executeTakeFirst(), undefined);
  });

  test("holds: post and void are idempotent and final", async () => {
    await run((trx) => postTransfer(trx, move("fund:t3", funding, trader("t3"), 500n), now()));
    const hold: TransferInput = {
      id: "hold:t3:p",
      code: "hold",
      ref: { type: "test", id: "p" },
      entries: [
        { account: trader("t3"), amountMinor: -300n },
        { account: merchant("m3"), amountMinor: 290n },
        { account: fees, amountMinor: 10n },
      ],
      pending: {},
    };
    await run((trx) => postTransfer(trx, hold, now()));
    assert.deepEqual(await getBalance(h.deps.database.db, merchant("m3")), { posted: 0n, pending: 290n, available: 0n, pendingDebits: 0n, pendingCredits: 290n });
    await run((trx) => postPending(trx, "hold:t3:p", now()));
    await run((trx) => postPending(trx, "hold:t3:p", now()));
    assert.deepEqual(await getBalance(h.deps.database.db, merchant("m3")), { posted: 290n, pending: 0n, available: 290n, pendingDebits: 0n, pendingCredits: 0n });
    assert.deepEqual(await getBalance(h.deps.database.db, trader("t3")), { posted: 200n, pending: 0n, available: 200n, pendingDebits: 0n, pendingCredits: 0n });
    await rejects(run((trx) => voidPending(trx, "hold:t3:p", now())), "illegal_transition");

    await run((trx) => postTransfer(trx, move("hold:t3:v", trader("t3"), merchant("m3"), 150n, { pending: {} }), now()));
    assert.equal((await getBalance(h.deps.database.db, trader("t3"))).available, 50n);
    await run((trx) => voidPending(trx, "hold:t3:v", now()));
    await run((trx) => voidPending(trx, "hold:t3:v", now()));
    assert.deepEqual(await getBalance(h.deps.database.db, trader("t3")), { posted: 200n, pending: 0n, available: 200n, pendingDebits: 0n, pendingCredits: 0n });
    await rejects(run((trx) => postPending(trx, "hold:t3:v", now())), "illegal_transition");
    await rejects(run((trx) => postPending(trx, "no-such-transfer", now())), "not_found");
    const resolutions = await h.deps.database.db.selectFrom("ledger_transfer_resolutions").selectAll().where("transfer_id", "like", "hold:t3:%").orderBy("transfer_id").execute();
    assert.deepEqual(resolutions.map((r) => [r.transfer_id, r.kind]), [["hold:t3:p", "posted"], ["hold:t3:v", "voided"]]);
  });

  test("holds expire through the worker task, and cannot be posted after their expiry", async () => {
    await run((trx) => postTransfer(trx, move("fund:t4", funding, trader("t4"), 100n), now()));
    const at = new Date(now().getTime() + 60_000);
    await run((trx) => postTransfer(trx, move("hold:t4:a", trader("t4"), merchant("m4"), 70n, { pending: { expiresAt: at } }), now()));
    await run((trx) => postTransfer(trx, move("hold:t4:b", trader("t4"), merchant("m4"), 30n, { pending: { expiresAt: at } }), now()));
    assert.equal(await run((trx) => expirePendingTransfers(trx, now())), 0);
    h.clock.advance(60_000);
    await rejects(run((trx) => postPending(trx, "hold:t4:a", now())), "illegal_transition");
    // Voiding a hold past its expiry records it as expired.
    await run((trx) => voidPending(trx, "hold:t4:b", now()));
    assert.equal(await expireHoldsTask.runOnce(h.deps), 1);
    assert.equal(await expireHoldsTask.runOnce(h.deps), 0);
    assert.deepEqual(await getBalance(h.deps.database.db, trader("t4")), { posted: 100n, pending: 0n, available: 100n, pendingDebits: 0n, pendingCredits: 0n });
    const kinds = await h.deps.database.db.selectFrom("ledger_transfer_resolutions").select(["transfer_id", "kind"]).where("transfer_id", "like", "hold:t4:%").orderBy("transfer_id").execute();
    assert.deepEqual(kinds.map((r) => r.kind), ["expired", "expired"]);
    await run((trx) => voidPending(trx, "hold:t4:a", now())); // no-op on an expired hold
  });

  test("reversals are new linked transfers, once, and obey no-negative accounts", async () => {
    await run((trx) => postTransfer(trx, move("fund:t5", funding, trader("t5"), 100n), now()));
    await run((trx) => postTransfer(trx, move("pay:t5", trader("t5"), merchant("m5"), 80n), now()));
    const r = await run((trx) => reverseTransfer(trx, { id: "pay:t5:rev", originalId: "pay:t5", code: "refund" }, now()));
    assert.deepEqual(r, { transferId: "pay:t5:rev", created: true });
    assert.deepEqual(await run((trx) => reverseTransfer(trx, { id: "pay:t5:rev", originalId: "pay:t5", code: "refund" }, now())), { transferId: "pay:t5:rev", created: false });
    await rejects(run((trx) => reverseTransfer(trx, { id: "pay:t5:rev2", originalId: "pay:t5", code: "refund" }, now())), "illegal_transition");
    assert.equal((await getBalance(h.deps.database.db, trader("t5"))).posted, 100n);
    assert.equal((await getBalance(h.deps.database.db, merchant("m5"))).posted, 0n);
    const row = await h.deps.database.db.selectFrom("ledger_transfers").selectAll().where("id", "=", "pay:t5:rev").executeTakeFirstOrThrow();
    assert.equal(row.reversal_of, "pay:t5");
    assert.equal(row.ref_id, "pay:t5");

    // A merchant who has spent the money cannot have the payment reversed.
    await run((trx) => postTransfer(trx, move("pay:t5:2", trader("t5"), merchant("m5"), 50n), now()));
    await run((trx) => postTransfer(trx, move("payout:m5", merchant("m5"), fees, 50n), now()));
    await rejects(run((trx) => reverseTransfer(trx, { id: "pay:t5:2:rev", originalId: "pay:t5:2", code: "refund" }, now())), "insufficient_funds");
    // A pending hold is voided, not reversed.
    await run((trx) => postTransfer(trx, move("hold:t5", trader("t5"), merchant("m5"), 10n, { pending: {} }), now()));
    await rejects(run((trx) => reverseTransfer(trx, { id: "hold:t5:rev", originalId: "hold:t5", code: "refund" }, now())), "illegal_transition");
    await run((trx) => voidPending(trx, "hold:t5", now()));
  });
  test("postTransfers books several transfers in one go, or none when together they overdraw a no-negative account", async () => {
    await run((trx) => postTransfer(trx, move("fund:t6", funding, trader("t6"), 100n), now()));
    // Each hold alone fits the deposit; the two together do not: nothing is written.
    const holds = [move("hold:t6:a", trader("t6"), merchant("m6"), 60n, { pending: {} }), move("hold:t6:b", trader("t6"), merchant("m6"), 50n, { pending: {} })];
    await rejects(run((trx) => postTransfers(trx, holds, now())), "insufficient_funds");
    const written = await h.deps.database.db.selectFrom("ledger_transfers").select("id").where("id", "in", ["hold:t6:a", "hold:t6:b"]).execute();
    assert.deepEqual(written, [], "no transfer of the refused set is written");
    assert.equal((await getBalance(h.deps.database.db, trader("t6"))).available, 100n);

    // Within the deposit, and to an account that does not exist yet (created on the way): both booked.
    await run((trx) => postTransfers(trx, [move("hold:t6:c", trader("t6"), merchant("m6"), 60n, { pending: {} }), move("hold:t6:d", trader("t6"), merchant("m6-new"), 40n, { pending: {} })], now()));
    assert.deepEqual(await getBalance(h.deps.database.db, trader("t6")), { posted: 100n, pending: -100n, available: 0n, pendingDebits: 100n, pendingCredits: 0n });
    assert.equal((await getBalance(h.deps.database.db, merchant("m6-new"))).pendingCredits, 40n);
    // An id booked already is a conflict.
    await rejects(run((trx) => postTransfers(trx, [move("hold:t6:c", funding, trader("t6"), 1n)], now())), "transfer_id_conflict");
    await run((trx) => voidPending(trx, ["hold:t6:c", "hold:t6:d"], now()));
  });
});
