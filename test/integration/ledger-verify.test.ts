// `rampart ledger verify` finds drift that bypassed the triggers, and the harness refuses to close
// over it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { sql } from "kysely";
import { type AccountRef, postTransfer } from "../../src/app/ledger/ledger.js";
import { formatLedgerReport, verifyLedger } from "../../src/app/ledger/verify-ledger.js";
import { createHarness } from "../support/harness.js";
import { runCli } from "../support/run-cli.js";

const funding: AccountRef = { owner: "platform", asset: "USDT", purpose: "platform_funding" };
const trader: AccountRef = { owner: "trader:v1", asset: "USDT", purpose: "trader_deposit" };
const merchant: AccountRef = { owner: "merchant:v1", asset: "USDT", purpose: "merchant_balance" };

test("verify passes a clean ledger and reports every kind of drift", async () => {
  const h = await createHarness();
  const db = h.deps.database.db;
  await db.transaction().execute(async (trx) => {
    await postTransfer(
      trx,
      { id: "fund", code: "fund", ref: { type: "t", id: "1" }, entries: [{ account: funding, amountMinor: -100n }, { account: trader, amountMinor: 100n }] },
      h.clock.now(),
    );
    await postTransfer(
      trx,
      { id: "hold", code: "hold", ref: { type: "t", id: "2" }, entries: [{ account: trader, amountMinor: -40n }, { account: merchant, amountMinor: 40n }], pending: {} },
      h.clock.now(),
    );
  });
  const clean = await verifyLedger(db);
  assert.equal(clean.ok, true, formatLedgerReport(clean));
  assert.deepEqual(
    { transfers: clean.transfers, entries: clean.entries, accounts: clean.accounts },
    { transfers: 2, entries: 4, accounts: 3 },
  );
  assert.deepEqual(clean.assets, [{ asset: "USDT", accounts: 3, posted: 0n, pendingDebits: 40n, pendingCredits: 40n }]);

  if (h.testDb.url) {
    const ok = await runCli(["ledger", "verify"], { DATABASE_URL: h.testDb.url });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^OK: /m);
  }

  // Corrupt: a balance row edited by hand, and an unbalanced transfer slipped past the triggers.
  await sql`UPDATE ledger_account_balances SET posted = posted + 7 WHERE account_id = (SELECT id FROM ledger_accounts WHERE owner = 'trader:v1')`.execute(db);
  await db.transaction().execute(async (trx) => {
    await sql`SET LOCAL session_replication_role = replica`.execute(trx);
    await sql`INSERT INTO ledger_transfers (id, code, ref_type, ref_id, created_at) VALUES ('forged', 'x', 't', '3', now())`.execute(trx);
    await sql`INSERT INTO ledger_entries (transfer_id, account_id, asset, amount)
              SELECT 'forged', id, asset, 5 FROM ledger_accounts WHERE owner = 'merchant:v1'`.execute(trx);
  });
  const bad = await verifyLedger(db);
  assert.equal(bad.ok, false);
  const text = formatLedgerReport(bad);
  assert.match(text, /transfer forged does not balance in USDT: entries sum to 5 over 1 entries/);
  assert.match(text, /\(trader:v1 USDT trader_deposit\): posted 107 but entries say 100/);
  assert.match(text, /\(merchant:v1 USDT merchant_balance\): posted 0 but entries say 5/);
  assert.match(text, /asset USDT: posted balances sum to 7, not zero/);

  if (h.testDb.url) {
    const drift = await runCli(["ledger", "verify"], { DATABASE_URL: h.testDb.url });
    assert.equal(drift.code, 1);
    assert.match(drift.stderr, /DRIFT: 4 problem\(s\)/);
  }
  await assert.rejects(h.close(), /ledger drift in the harness database/);
});

test("ledger verify has --help and refuses an unknown subcommand", async () => {
  const help = await runCli(["ledger", "--help"], {});
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: rampart ledger verify/m);
  const bad = await runCli(["ledger", "audit"], {});
  assert.equal(bad.code, 2);
});
