import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { sql } from "kysely";
import { connectPGlite, connectPostgres } from "../../src/db/connect.js";
import { MIGRATIONS_DIR, listMigrations, migrate, pendingMigrations, plannedMigrations } from "../../src/db/migrate.js";
import { CARD_PAYMENT_MACHINE } from "../../src/core/card/payment-status.js";
import { INTENT_MACHINE } from "../../src/core/intents/intent-status.js";
import { PAYOUT_MACHINE } from "../../src/core/intents/payout-status.js";
import { KYC_MACHINE } from "../../src/core/kyc/kyc-case.js";
import { TRADING_MACHINE } from "../../src/core/trading/payin-status.js";
import { adminQuery, databaseUrlFor, usePostgres } from "../support/test-db.js";

test("migrations apply on embedded PGlite, and a second run is a no-op", async () => {
  const database = await connectPGlite({ dataDir: null });
  try {
    assert.deepEqual(await migrate(database), listMigrations());
    assert.deepEqual(await migrate(database), []);
    assert.deepEqual(await pendingMigrations(database), []);
    const r = await sql<{ a: string; b: string }>`select 9007199254740993::int8 as a, 12.50::numeric as b`.execute(database.db);
    assert.deepEqual(r.rows[0], { a: "9007199254740993", b: "12.50" }, "int8 and numeric come back as strings");
  } finally {
    await database.close();
  }
});

// The racers wait for the one that migrates; with a CONCURRENTLY build among the migrations, a racer
// waiting inside a transaction (or blocked in pg_advisory_lock) would hold a snapshot the build waits for.
test("migrations apply on PostgreSQL once, even when three processes race over a CONCURRENTLY build", { skip: !usePostgres() && "DATABASE_URL not set" }, async () => {
  const name = `rampart_mig_${randomBytes(5).toString("hex")}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const dir = dirWithConcurrentIndex();
  const dbs = [0, 1, 2].map(() => connectPostgres({ url: databaseUrlFor(name), poolSize: 2 }));
  try {
    const applied = await Promise.all(dbs.map((d) => migrate(d, dir)));
    assert.deepEqual(applied.flat().sort(), listMigrations(dir), "each migration applied by exactly one racer");
    assert.equal(applied.filter((a) => a.length > 0).length, 1, "one racer applied them all; the others found them done");
    assert.deepEqual(await migrate(dbs[0]!, dir), []);
    const idx = await sql<{ indexname: string }>`SELECT i.indexrelid::regclass::text AS indexname FROM pg_index i
      WHERE i.indexrelid::regclass::text IN ('trading_payins_test_conc_idx', 'jobs_test_conc_idx') AND i.indisvalid ORDER BY 1`.execute(dbs[0]!.db);
    assert.deepEqual(idx.rows.map((r) => r.indexname), ["jobs_test_conc_idx", "trading_payins_test_conc_idx"], "both built and valid");
    const r = await sql<{ a: string; b: string }>`select 9007199254740993::int8 as a, 12.50::numeric as b`.execute(dbs[0]!.db);
    assert.deepEqual(r.rows[0], { a: "9007199254740993", b: "12.50" }, "int8 and numeric come back as strings");
  } finally {
    await Promise.all(dbs.map((d) => d.close()));
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("0010 copies the store's bank details onto intents that reached status 4, and only those", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-mig-"));
  const database = await connectPGlite({ dataDir: null });
  try {
    for (const f of listMigrations().filter((f) => f < "0010")) fs.copyFileSync(path.join(MIGRATIONS_DIR, f), path.join(dir, f));
    await migrate(database, dir);
    await database.execScript(`
      INSERT INTO merchants (id, name) VALUES ('00000000-0000-4000-8000-000000000001', 'M');
      INSERT INTO stores (id, merchant_id, name) VALUES ('s1', '00000000-0000-4000-8000-000000000001', 'S');
      INSERT INTO intent_store_settings (store_id, bank_iban, bank_bic, bank_beneficiary, bank_name, ipn_secret_enc)
        VALUES ('s1', 'ES9121000418450200051332', 'CAIXESBBXXX', 'Shop S.L.', 'CaixaBank', 'x');
      INSERT INTO kyc_users (id, store_id, email) VALUES ('u1', 's1', 'a@example.com');
      INSERT INTO payment_intents (id, merchant_id, store_id, user_id, status, email, ip, payment_method, fiat_currency, fiat_minor,
        fee_fiat_minor, crypto_symbol, network, crypto_minor, network_fee_minor, rate, rate_source, rate_fetched_at, wallet_address,
        order_number, reference, created_at, updated_at)
      SELECT v.id, '00000000-0000-4000-8000-000000000001', 's1', 'u1', v.status, 'a@example.com', '203.0.113.7', 'bank_transfer', 'EUR', 10000,
        0, 'USDT', 'trc20', 1000000, 0, '0.92', 'fixed', now(), 'T', v.order_number, 'RMP' || v.id, now(), now()
      FROM (VALUES ('at4', 4, 'ORD-1'), ('paid', 6, 'ORD-2'), ('ended_at_4', 10, 'ORD-3'), ('ended_at_2', 10, NULL), ('kyc', 2, NULL)) AS v(id, status, order_number);`);
    assert.deepEqual(await migrate(database), listMigrations().filter((f) => f >= "0010"));
    const rows = await sql<{ id: string; bank_iban: string | null; bank_name: string | null }>`
      select id, bank_iban, bank_name from payment_intents order by id`.execute(database.db);
    const withBank = { bank_iban: "ES9121000418450200051332", bank_name: "CaixaBank" };
    const none = { bank_iban: null, bank_name: null };
    assert.deepEqual(rows.rows, [
      { id: "at4", ...withBank },
      { id: "ended_at_2", ...none },
      { id: "ended_at_4", ...withBank },
      { id: "kyc", ...none },
      { id: "paid", ...withBank },
    ]);
    await assert.rejects(
      sql`update payment_intents set bank_bic = null where id = 'at4'`.execute(database.db),
      /payment_intents_bank_snapshot_whole/,
      "the four details are set together or not at all",
    );
  } finally {
    await database.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("0012 moves both flows' bank transfers into bank_transfers, keeping what each matched", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-mig-"));
  const database = await connectPGlite({ dataDir: null });
  try {
    for (const f of listMigrations().filter((f) => f < "0012")) fs.copyFileSync(path.join(MIGRATIONS_DIR, f), path.join(dir, f));
    await migrate(database, dir);
    await database.execScript(`
      INSERT INTO trading_banks (code, name, methods, fiat_currency) VALUES ('SBER', 'Sberbank', '{sbp}', 'RUB');
      INSERT INTO traders (id, name) VALUES ('trd_1', 'T');
      INSERT INTO trading_requisites (id, trader_id, bank_code, method, owner_name, sbp_phone, fiat_currency)
        VALUES ('00000000-0000-4000-8000-0000000000aa', 'trd_1', 'SBER', 'sbp', 'Maria P.', '+79990000000', 'RUB');
      INSERT INTO trading_bank_transfers (id, external_id, requisite_id, amount_minor, fiat_currency, payer_name, received_at)
        VALUES ('btr_a', 'bank-1', '00000000-0000-4000-8000-0000000000aa', 603000, 'RUB', 'Ivan', '2026-01-02T03:04:05Z'),
               ('btr_b', 'same-id', '00000000-0000-4000-8000-0000000000aa', 100, 'RUB', NULL, '2026-01-02T03:04:05Z');
      INSERT INTO intent_bank_transfers (external_id, reference, amount_minor, currency, intent_id, outcome, received_at)
        VALUES ('bank-2', 'RMPX', 10000, 'EUR', NULL, 'unmatched', '2026-01-03T00:00:00Z'),
               ('same-id', 'RMPY', 500, 'EUR', NULL, 'unmatched', '2026-01-03T00:00:00Z');`);
    assert.deepEqual(await migrate(database), listMigrations().filter((f) => f >= "0012"));
    const rows = await sql<{ external_id: string; amount_minor: string; currency: string; requisite_id: string | null; reference: string | null; outcome: string }>`
      select external_id, amount_minor, currency, requisite_id, reference, outcome from bank_transfers order by external_id`.execute(database.db);
    assert.deepEqual(rows.rows, [
      { external_id: "bank-1", amount_minor: "603000", currency: "RUB", requisite_id: "00000000-0000-4000-8000-0000000000aa", reference: null, outcome: "unmatched" },
      { external_id: "bank-2", amount_minor: "10000", currency: "EUR", requisite_id: null, reference: "RMPX", outcome: "unmatched" },
      { external_id: "intent:same-id", amount_minor: "500", currency: "EUR", requisite_id: null, reference: "RMPY", outcome: "unmatched" },
      { external_id: "same-id", amount_minor: "100", currency: "RUB", requisite_id: "00000000-0000-4000-8000-0000000000aa", reference: null, outcome: "unmatched" },
    ]);
  } finally {
    await database.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("0014: each state machine's status columns accept exactly the statuses of its core machine", async () => {
  const database = await connectPGlite({ dataDir: null });
  try {
    await migrate(database);
    const checks = await sql<{ name: string; def: string }>`
      select conname as name, pg_get_constraintdef(oid) as def from pg_constraint
      where conname like '%status_known' or conname = 'card_payments_status_check'`.execute(database.db);
    /** CHECK ((status = ANY (ARRAY['a'::text, 'b'::text]))) → ["a", "b"] */
    const values = (def: string) => [...def.matchAll(/'([a-z_]+)'::text|\b(\d+)\b/g)].map((m) => m[1] ?? Number(m[2]));
    const found = Object.fromEntries(checks.rows.map((r) => [r.name, values(r.def)]));
    const expected: Record<string, readonly (string | number)[]> = { card_payments_status_check: CARD_PAYMENT_MACHINE.statuses };
    for (const [table, m] of [["trading_payin", TRADING_MACHINE], ["payment_intent", INTENT_MACHINE], ["kyc_case", KYC_MACHINE]] as const) {
      expected[`${table}s_status_known`] = m.statuses;
      expected[`${table}_events_from_status_known`] = m.statuses;
      expected[`${table}_events_to_status_known`] = m.statuses;
    }
    expected.intent_payouts_status_known = PAYOUT_MACHINE.statuses;
    assert.deepEqual(found, Object.fromEntries(Object.entries(expected).map(([k, v]) => [k, [...v]])));
    await database.execScript(`
      INSERT INTO merchants (id, name) VALUES ('00000000-0000-4000-8000-000000000001', 'M');
      INSERT INTO stores (id, merchant_id, name) VALUES ('s1', '00000000-0000-4000-8000-000000000001', 'S');
      INSERT INTO kyc_users (id, store_id, email) VALUES ('u1', 's1', 'a@example.com');
      INSERT INTO kyc_cases (id, user_id, level, status) VALUES ('c1', 'u1', 'KYC_1', 'open');`);
    await assert.rejects(database.execScript(`UPDATE kyc_cases SET status = 'approve' WHERE id = 'c1'`), /kyc_cases_status_known/);
  } finally {
    await database.close();
  }
});

test("0015 drops the quotes table nothing read", async () => {
  const database = await connectPGlite({ dataDir: null });
  try {
    await migrate(database);
    const r = await sql<{ t: string | null }>`select to_regclass('quotes')::text as t`.execute(database.db);
    assert.equal(r.rows[0]!.t, null);
  } finally {
    await database.close();
  }
});

test("0017_a: a merchant's existing trading currency becomes the one it accepts, and the default stays one of them", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-mig-"));
  const database = await connectPGlite({ dataDir: null });
  try {
    for (const f of listMigrations().filter((f) => f < "0017_a")) fs.copyFileSync(path.join(MIGRATIONS_DIR, f), path.join(dir, f));
    await migrate(database, dir);
    await database.execScript(`
      INSERT INTO merchants (id, name) VALUES ('00000000-0000-4000-8000-000000000001', 'M');
      INSERT INTO trading_merchant_settings (merchant_id, fiat_currency, fee_rate) VALUES ('00000000-0000-4000-8000-000000000001', 'KZT', 0.05);`);
    assert.deepEqual(await migrate(database), listMigrations().filter((f) => f >= "0017_a"));
    const r = await sql<{ fiat_currencies: string[] }>`select fiat_currencies from trading_merchant_settings`.execute(database.db);
    assert.deepEqual(r.rows[0]!.fiat_currencies, ["KZT"]);
    await assert.rejects(database.execScript(`UPDATE trading_merchant_settings SET fiat_currencies = '{RUB}'`), /trading_merchant_settings_default_accepted/);
  } finally {
    await database.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// The planner's random_page_cost (0087_p): PostgreSQL's default prices an index walk for a spinning disk.
test("0087 sets random_page_cost 1.1 for the database's new sessions, and leaves a value someone chose", { skip: !usePostgres() && "DATABASE_URL not set" }, async () => {
  const fresh = `rampart_rpc_${randomBytes(5).toString("hex")}`;
  const chosen = `rampart_rpc_${randomBytes(5).toString("hex")}`;
  await adminQuery(`CREATE DATABASE ${fresh}`, `CREATE DATABASE ${chosen}`, `ALTER DATABASE ${chosen} SET random_page_cost = 2`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-mig-rpc-"));
  const file = listMigrations().find((f) => f.startsWith("0087_"))!;
  fs.copyFileSync(path.join(MIGRATIONS_DIR, file), path.join(dir, file));
  // Each call is its own pool, so each reads the setting in a session that starts after the migration.
  const onDatabase = async <T>(name: string, fn: (d: ReturnType<typeof connectPostgres>) => Promise<T>): Promise<T> => {
    const d = connectPostgres({ url: databaseUrlFor(name), poolSize: 1 });
    try {
      return await fn(d);
    } finally {
      await d.close();
    }
  };
  const randomPageCost = (name: string) =>
    onDatabase(name, async (d) => (await sql<{ random_page_cost: string }>`SHOW random_page_cost`.execute(d.db)).rows[0]!.random_page_cost);
  try {
    for (const name of [fresh, chosen]) assert.deepEqual(await onDatabase(name, (d) => migrate(d, dir)), [file]);
    assert.equal(await randomPageCost(fresh), "1.1");
    assert.equal(await randomPageCost(chosen), "2");
  } finally {
    await adminQuery(`DROP DATABASE IF EXISTS ${fresh} WITH (FORCE)`, `DROP DATABASE IF EXISTS ${chosen} WITH (FORCE)`);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// 0089_t drops triggers, which takes trading_payins' exclusive lock: behind a long transaction that would
// queue every request on the table, so the migration gives up after its lock_timeout instead.
test("0089 gives up behind a long transaction on trading_payins, changing nothing, and applies once it is gone", { skip: !usePostgres() && "DATABASE_URL not set" }, async () => {
  const name = `rampart_lock_${randomBytes(5).toString("hex")}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-mig-lock-"));
  const database = connectPostgres({ url: databaseUrlFor(name), poolSize: 2 });
  const report = connectPostgres({ url: databaseUrlFor(name), poolSize: 1 });
  const triggers = async () =>
    (await sql<{ tgname: string }>`SELECT tgname FROM pg_trigger WHERE tgrelid = 'trading_payins'::regclass AND tgname ~ '(changed|notify_)' ORDER BY 1`.execute(database.db)).rows.map((r) => r.tgname);
  let release = () => {};
  try {
    for (const f of listMigrations().filter((f) => f < "0089_")) fs.copyFileSync(path.join(MIGRATIONS_DIR, f), path.join(dir, f));
    await migrate(database, dir);
    const before = await triggers();
    assert.deepEqual(before, ["trading_payins_changed", "trading_payins_row_changed"]);
    const released = new Promise<void>((resolve) => (release = resolve));
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    // A report reading the table in a transaction that stays open.
    const longRead = report.db.transaction().execute(async (trx) => {
      await sql`SELECT count(*) FROM trading_payins`.execute(trx);
      holding();
      await released;
    });
    await held;
    await assert.rejects(migrate(database), /lock timeout/);
    assert.deepEqual(await triggers(), before, "nothing of 0089 applied");
    release();
    await longRead;
    assert.deepEqual(await migrate(database), listMigrations().filter((f) => f >= "0089_"));
    assert.deepEqual(await triggers(), ["trading_payins_notify_delete", "trading_payins_notify_insert", "trading_payins_notify_update"]);
  } finally {
    release(); // a failed assertion must not leave the report's transaction waiting
    await report.close();
    await database.close();
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** The shipped migrations plus one that opts out of the transaction to build an index concurrently. */
function dirWithConcurrentIndex(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-mig-conc-"));
  for (const f of listMigrations()) fs.copyFileSync(path.join(MIGRATIONS_DIR, f), path.join(dir, f));
  fs.writeFileSync(
    path.join(dir, "9999_concurrent_index.sql"),
    [
      "-- rampart:no-transaction",
      "-- An index built without locking writes out of trading_payins.",
      "CREATE INDEX CONCURRENTLY IF NOT EXISTS trading_payins_test_conc_idx ON trading_payins (updated_at);",
      "CREATE INDEX CONCURRENTLY IF NOT EXISTS jobs_test_conc_idx ON jobs (created_at);",
      "",
    ].join("\n"),
  );
  return dir;
}

async function checkConcurrentMigration(database: Awaited<ReturnType<typeof connectPGlite>> | ReturnType<typeof connectPostgres>) {
  const dir = dirWithConcurrentIndex();
  const plan = await plannedMigrations(database, dir);
  assert.deepEqual(plan.map((m) => m.name), listMigrations(dir), "a fresh database: every migration planned, nothing applied by planning");
  // Exactly the files marked `-- rampart:no-transaction` (the shipped ones and the test's) run outside a transaction.
  const marked = listMigrations(dir).filter((f) => fs.readFileSync(path.join(dir, f), "utf8").startsWith("-- rampart:no-transaction"));
  assert.equal(plan.at(-1)!.transactional, false);
  assert.deepEqual(plan.filter((m) => !m.transactional).map((m) => m.name), marked);
  const none = await sql<{ t: string | null }>`SELECT to_regclass('schema_migrations')::text AS t`.execute(database.db);
  assert.equal(none.rows[0]!.t, null, "planning created nothing");
  assert.deepEqual(await migrate(database, dir), listMigrations(dir));
  const idx = await sql<{ indexname: string }>`SELECT indexname FROM pg_indexes WHERE indexname IN ('trading_payins_test_conc_idx', 'jobs_test_conc_idx') ORDER BY 1`.execute(database.db);
  assert.deepEqual(idx.rows.map((r) => r.indexname), ["jobs_test_conc_idx", "trading_payins_test_conc_idx"]);
  assert.deepEqual(await plannedMigrations(database, dir), []);
  assert.deepEqual(await migrate(database, dir), [], "recorded once");
  // Only this database's locks: other test files' sessions on the same server take advisory locks of their own.
  const locks = await sql<{ n: string }>`SELECT count(*) AS n FROM pg_locks
    WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`.execute(database.db);
  assert.equal(locks.rows[0]!.n, "0", "the session lock was released");
}

test("a no-transaction migration builds its indexes CONCURRENTLY (PGlite); the plan lists it without applying", async () => {
  const database = await connectPGlite({ dataDir: null });
  try {
    await checkConcurrentMigration(database);
  } finally {
    await database.close();
  }
});

test("a no-transaction migration builds its indexes CONCURRENTLY (PostgreSQL)", { skip: !usePostgres() && "DATABASE_URL not set" }, async () => {
  const name = `rampart_mig_${randomBytes(5).toString("hex")}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const dbs = [0, 1, 2].map(() => connectPostgres({ url: databaseUrlFor(name), poolSize: 2 }));
  try {
    await checkConcurrentMigration(dbs[0]!);
  } finally {
    await Promise.all(dbs.map((d) => d.close()));
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
});

test("a concurrent build that failed earlier is not recorded as done: the runner names the INVALID index until it is dropped", async () => {
  const dir = dirWithConcurrentIndex();
  const database = await connectPGlite({ dataDir: null });
  try {
    await migrate(database);
    // A unique build over duplicates fails part-way and leaves its index INVALID, as a crash would.
    await assert.rejects(database.execScript("CREATE UNIQUE INDEX CONCURRENTLY trading_payins_test_conc_idx ON schema_migrations ((1))"), /could not create unique index/);
    await assert.rejects(migrate(database, dir), /9999_concurrent_index\.sql failed: INVALID index trading_payins_test_conc_idx .*drop it/);
    assert.deepEqual((await plannedMigrations(database, dir)).map((m) => m.name), ["9999_concurrent_index.sql"], "not recorded");
    await database.execScript("DROP INDEX trading_payins_test_conc_idx");
    assert.deepEqual(await migrate(database, dir), ["9999_concurrent_index.sql"]);
    const valid = await sql<{ ok: boolean }>`SELECT indisvalid AS ok FROM pg_index WHERE indexrelid = 'trading_payins_test_conc_idx'::regclass`.execute(database.db);
    assert.deepEqual(valid.rows, [{ ok: true }]);
  } finally {
    await database.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
