import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql, type Transaction } from "kysely";
import {
  type AccountRef,
  expirePendingTransfers,
  getBalance,
  postPending,
  postTransfer,
  postTransfersLast,
  reverseTransfer,
  type TransferInput,
  transfersNotWritten,
  voidPending,
} from "../../src/app/ledger/ledger.js";
import { InvalidTransferError } from "../../src/core/ledger/transfer.js";
import { AppError } from "../../src/core/shared/errors.js";
import type { DB } from "../../src/db/schema.js";
import { expireHoldsTask } from "../../src/jobs/expire-holds.js";
import { createHarness, type Harness } from "../support/harness.js";
import { countingStatements } from "../support/statement-count.js";
import { usePostgres } from "../support/test-db.js";

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

  test("the database refuses an unbalanced transfer, one without entries, an entry added later, and any update or delete", async () => {
    const db = h.deps.database.db;
    const acc = await db.selectFrom("ledger_accounts").select(["id", "asset"]).where("asset", "=", "USDT").orderBy("id").limit(2).execute();
    const entry = (transfer: string, n: 0 | 1, amount: number) => sql`(${transfer}, ${acc[n]!.id}, ${acc[n]!.asset}, ${amount})`;
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await sql`INSERT INTO ledger_transfers (id, code, ref_type, ref_id, created_at) VALUES ('raw:1', 'x', 't', '1', now())`.execute(trx);
        await sql`INSERT INTO ledger_entries (transfer_id, account_id, asset, amount) VALUES ${entry("raw:1", 0, 5)}, ${entry("raw:1", 1, -4)}`.execute(trx);
      }),
      /ledger transfer raw:1 does not balance in USDT/,
    );
    await assert.rejects(
      sql`INSERT INTO ledger_transfers (id, code, ref_type, ref_id, created_at) VALUES ('raw:2', 'x', 't', '1', now())`.execute(db),
      /ledger transfer raw:2 has 0 entries \(needs at least 2\)/,
    );
    // A balanced transfer commits; an entry added to it afterwards, even one of a balanced pair with
    // another transfer's, is checked with the transfer's earlier entries. (Each committed transfer
    // moves one account out and back, so the balance rows, which these raw inserts do not move, still
    // agree with the entries: the harness verifies the ledger when it closes.)
    await db.transaction().execute(async (trx) => {
      await sql`INSERT INTO ledger_transfers (id, code, ref_type, ref_id, created_at) VALUES ('raw:3', 'x', 't', '1', now()), ('raw:4', 'x', 't', '1', now())`.execute(trx);
      await sql`INSERT INTO ledger_entries (transfer_id, account_id, asset, amount) VALUES ${entry("raw:3", 0, 5)}, ${entry("raw:3", 0, -5)}, ${entry("raw:4", 1, 2)}, ${entry("raw:4", 1, -2)}`.execute(trx);
    });
    await assert.rejects(
      sql`INSERT INTO ledger_entries (transfer_id, account_id, asset, amount) VALUES ${entry("raw:3", 0, 1)}, ${entry("raw:4", 1, -1)}`.execute(db),
      /ledger transfer raw:(3|4) does not balance in USDT/,
    );
    assert.deepEqual((await sql<{ n: string }>`SELECT count(*)::text AS n FROM ledger_entries WHERE transfer_id IN ('raw:3', 'raw:4')`.execute(db)).rows, [{ n: "4" }]);
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
  test("postTransfersLast books several transfers in one statement, or fails whole where they overdraw, an account is missing or an id is booked", async () => {
    await run((trx) => postTransfer(trx, move("fund:t6", funding, trader("t6"), 100n), now()));
    await run((trx) => postTransfer(trx, move("open:m6", funding, merchant("m6"), 1n), now())); // the account exists
    const last = (list: TransferInput[]) => run((trx) => postTransfersLast(trx, list, now(), { before: [], commit: false }));
    const notWritten = (p: Promise<unknown>) => assert.rejects(p, (err: unknown) => transfersNotWritten(err));
    const booked = async (ids: string[]) => (await h.deps.database.db.selectFrom("ledger_transfers").select("id").where("id", "in", ids).execute()).map((r) => r.id);
    // Each hold alone fits the deposit; the two together do not: nothing is written.
    await notWritten(last([move("hold:t6:a", trader("t6"), merchant("m6"), 60n, { pending: {} }), move("hold:t6:b", trader("t6"), merchant("m6"), 50n, { pending: {} })]));
    assert.deepEqual(await booked(["hold:t6:a", "hold:t6:b"]), [], "no transfer of the refused set is written");
    assert.equal((await getBalance(h.deps.database.db, trader("t6"))).available, 100n);
    // It never repairs: an account that does not exist yet is not opened, and nothing is booked.
    await notWritten(last([move("hold:t6:c", trader("t6"), merchant("m6"), 60n, { pending: {} }), move("hold:t6:d", trader("t6"), merchant("m6-new"), 40n, { pending: {} })]));
    assert.deepEqual(await booked(["hold:t6:c", "hold:t6:d"]), []);
    assert.equal(await h.deps.database.db.selectFrom("ledger_accounts").select("id").where("owner", "=", "merchant:m6-new").executeTakeFirst(), undefined);

    // Within the deposit, over existing accounts: both booked, the deposit moved once by their sum.
    await last([move("hold:t6:c", trader("t6"), merchant("m6"), 60n, { pending: {} }), move("hold:t6:d", trader("t6"), merchant("m6"), 40n, { pending: {} })]);
    assert.deepEqual(await getBalance(h.deps.database.db, trader("t6")), { posted: 100n, pending: -100n, available: 0n, pendingDebits: 100n, pendingCredits: 0n });
    // An id booked already: the set fails whole, its new transfer's row included.
    await notWritten(last([move("hold:t6:e", merchant("m6"), funding, 1n), move("hold:t6:c", funding, trader("t6"), 1n)]));
    assert.deepEqual(await booked(["hold:t6:e"]), []);
    await run((trx) => voidPending(trx, ["hold:t6:c", "hold:t6:d"], now()));
  });

  test("postTransfersLast with commit: the transfers and the transaction's COMMIT go in one round trip, and a refusal leaves the connection rolled back and idle", { skip: usePostgres() ? false : "the early COMMIT is PostgreSQL's (PGlite has no round trips)" }, async () => {
    await run((trx) => postTransfer(trx, move("fund:t7", funding, trader("t7"), 100n), now()));
    await run((trx) => postTransfer(trx, move("open:m7", funding, merchant("m7"), 1n), now()));
    const marker = sql<{ n: number }>`SELECT 1 AS n -- early commit test`.compile(h.deps.database.db);
    const hold = (id: string, amount: bigint) => move(id, trader("t7"), merchant("m7"), amount, { pending: {} });
    // Written: committed when postTransfersLast returns (another connection reads it before Kysely's
    // own COMMIT, which is answered without being sent), in one round trip with the caller's statement.
    const { result, statements } = await countingStatements(h, (t) => /^\s*(commit|begin)\b/i.test(t) || t.includes("early commit test") || t.includes("ledger_written_or_raise"), () =>
      run(async (trx) => {
        const [before] = await postTransfersLast(trx, [hold("hold:t7:a", 60n)], now(), { before: [marker], commit: true });
        const seen = await h.deps.database.db.selectFrom("ledger_transfers").select("id").where("id", "=", "hold:t7:a").execute();
        // Anything the transaction sent now would run outside it: refused.
        await assert.rejects(sql`SELECT 1`.execute(trx), /after its transaction's early COMMIT/);
        return { before: before!.rows, seen: seen.length };
      }),
    );
    assert.deepEqual(result, { before: [{ n: 1 }], seen: 1 });
    assert.equal(statements, 4, "BEGIN, the caller's statement, the transfers and one COMMIT: Kysely's own is not sent");
    assert.equal((await getBalance(h.deps.database.db, trader("t7"))).pendingDebits, 60n);

    // Refused: the COMMIT behind the statement rolls back what came before it in the transaction.
    await assert.rejects(
      run(async (trx) => {
        await postTransfer(trx, move("fund:t7:2", funding, trader("t7"), 5n), now());
        await postTransfersLast(trx, [hold("hold:t7:b", 50n)], now(), { before: [], commit: true });
      }),
      (err: unknown) => transfersNotWritten(err),
    );
    const b = await getBalance(h.deps.database.db, trader("t7"));
    assert.deepEqual([b.posted, b.pendingDebits], [100n, 60n], "neither the hold nor the earlier posting of its transaction is written");
    const open = await sql<{ n: string }>`
      SELECT count(*)::text AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`.execute(h.deps.database.db);
    assert.equal(open.rows[0]!.n, "0", "no pooled connection is left inside a transaction");
    await run((trx) => voidPending(trx, "hold:t7:a", now()));
  });
});
