// The merchant statement reads one snapshot per page (issue 19): a ledger transfer committed from another
// connection between the statement's closing-balance read and its movements read must not show in one
// and not the other. The commit is placed there deterministically by a Kysely plugin on the statement's
// database handle, which awaits the commit after the closing read returns (no sleep, no timing).
// PostgreSQL only: PGlite runs one transaction at a time, so no commit can land inside another.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Deps } from "../../src/app/deps.js";
import { merchantStatement } from "../../src/app/merchants/merchant-balance.js";
import { AfterEachQuery } from "../support/after-query.js";
import { createMerchant } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { fundMerchantBalance } from "../support/merchant-funds.js";
import { usePostgres } from "../support/test-db.js";

const onPostgres = usePostgres();
let h: Harness;
before(async () => {
  if (onPostgres) h = await createHarness();
});
after(async () => h?.close());

test("a transfer committed between the closing read and the movements read is in neither: opening + movements = closing", { skip: !onPostgres && "PostgreSQL only (DATABASE_URL, not forced to PGlite)" }, async () => {
  const m = await createMerchant(h.deps);
  await fundMerchantBalance(h.deps, m.merchantId, 10_000n);
  h.clock.advance(60_000);
  const from = h.clock.now();
  await fundMerchantBalance(h.deps, m.merchantId, 500n);
  const to = new Date(from.getTime() + 3600_000);

  let committedBetween = false;
  // Queries of the statement's transaction: 1 opening balance, 2 closing balance, 3 the movements page.
  const plugin = new AfterEachQuery(async (n) => {
    if (n !== 2) return;
    await fundMerchantBalance(h.deps, m.merchantId, 7n); // another pool connection, committed here
    committedBetween = true;
  });
  const hooked: Deps = { ...h.deps, database: { ...h.deps.database, db: h.deps.database.db.withPlugin(plugin) } };
  const s = await merchantStatement(hooked, m.merchantId, { asset: "USDT", from: from.toISOString(), to: to.toISOString() });
  assert.ok(committedBetween, "the transfer was committed between the two reads");

  const moved = s.items.reduce((sum, l) => sum + l.amount, 0n);
  assert.equal(s.openingBalance, 10_000n);
  assert.equal(s.openingBalance + moved, s.closingBalance, `opening ${s.openingBalance} + movements ${moved} = closing ${s.closingBalance}`);
  assert.equal(s.closingBalance, 10_500n, "the snapshot was taken before the concurrent commit");

  // A statement read afterwards sees it, in the movements and the closing alike.
  const later = await merchantStatement(h.deps, m.merchantId, { asset: "USDT", from: from.toISOString(), to: to.toISOString() });
  assert.equal(later.closingBalance, 10_507n);
  assert.equal(later.openingBalance + later.items.reduce((sum, l) => sum + l.amount, 0n), later.closingBalance);
});
