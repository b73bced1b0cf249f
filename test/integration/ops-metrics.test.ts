// Each application metric moves when its event happens: /metrics is scraped through inject() before
// and after the event, on a real database (PostgreSQL or PGlite). Counters count after commit only;
// the database gauges follow the rows (their snapshot cache is timed by the test clock).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import { createFixedRateSource } from "../../src/adapters/rates/fixed-rates.js";
import { verifyLedgerAndRecord } from "../../src/app/ledger/verify-ledger.js";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { GAUGE_COUNT_CAP } from "../../src/app/ops/ops-gauges.js";
import { createRateCache } from "../../src/app/rates/rate-cache.js";
import { TRADER_DEPOSIT_ACCOUNT } from "../../src/app/trading/ledger-postings.js";
import { readOpsSnapshot } from "../../src/db/ops/ops-snapshot.js";
import { sandboxTransfer } from "../support/bank-feed.js";
import { createHarness, type Harness } from "../support/harness.js";
import { createTestDatabase, usePostgres } from "../support/test-db.js";
import { sample, scrape } from "../support/metrics.js";
import { createPayinOverHttp, drainWorker, setupTrading, type TradingFixture, uploadPngReceipt, useFixedRate } from "../support/trading.js";
import { type Receiver, startReceiver } from "../support/webhook-receiver.js";

let h: Harness;
let fx: TradingFixture;
let hooks: Receiver;
/** Past the gauges' snapshot cache (5 s), so the next scrape reads the database again. */
const CACHE_MS = 5_000;

before(async () => {
  h = await createHarness({ tweak: (deps) => useFixedRate(deps, "99.12") });
  hooks = await startReceiver();
  fx = await setupTrading(h.deps, { traders: 1, requisitesPerTrader: 2, settings: { webhookUrl: hooks.url } });
});
after(async () => {
  await hooks.close();
  await h.close();
});

const api = (method: "GET" | "POST", url: string, body?: unknown) =>
  h.app.inject({
    method,
    url,
    headers: { "x-api-key": fx.merchant.apiKey, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });

const create = (fiatAmount: number) => createPayinOverHttp(h.app, fx.merchant.apiKey, fiatAmount);

/** A scrape after the gauges' cache has passed. */
async function fresh() {
  h.clock.advance(CACHE_MS);
  return scrape(h.app);
}

const trading = { dialect: "trading" };

test("created and paid count after commit, with the time from create to paid in the histogram", async () => {
  const s0 = await scrape(h.app);
  const p = await create(5010);
  const s1 = await scrape(h.app);
  assert.equal(sample(s1, "rampart_payments_created_total", trading) - sample(s0, "rampart_payments_created_total", trading), 1);

  h.clock.advance(42_000);
  const r = await h.app.inject({ method: "POST", url: `/trader/v1/pay-ins/${p.id}/confirm`, headers: { "x-trader-key": fx.traders[0]!.traderKey } });
  assert.equal(r.json().status, "closed", r.body);
  const s2 = await scrape(h.app);
  assert.equal(sample(s2, "rampart_payments_finished_total", { ...trading, outcome: "paid" }) - sample(s1, "rampart_payments_finished_total", { ...trading, outcome: "paid" }), 1);
  assert.equal(sample(s2, "rampart_payment_create_to_paid_seconds_count", trading) - sample(s1, "rampart_payment_create_to_paid_seconds_count", trading), 1);
  assert.equal(sample(s2, "rampart_payment_create_to_paid_seconds_sum", trading) - sample(s1, "rampart_payment_create_to_paid_seconds_sum", trading), 42);
  assert.equal(
    sample(s2, "rampart_payment_create_to_paid_seconds_bucket", { le: "60", ...trading }) - sample(s1, "rampart_payment_create_to_paid_seconds_bucket", { le: "60", ...trading }),
    1,
  );
  await drainWorker(h.deps);
});

test("a rolled-back transaction counts nothing; the same event committed counts once", async () => {
  const s0 = await scrape(h.app);
  await assert.rejects(
    h.deps.database.db.transaction().execute(async (trx) => {
      h.deps.metrics.paymentCreated(trx, "card");
      throw new Error("roll back");
    }),
    /roll back/,
  );
  const s1 = await scrape(h.app);
  assert.equal(sample(s1, "rampart_payments_created_total", { dialect: "card" }), sample(s0, "rampart_payments_created_total", { dialect: "card" }));
  await h.deps.database.db.transaction().execute(async (trx) => h.deps.metrics.paymentCreated(trx, "card"));
  const s2 = await scrape(h.app);
  assert.equal(sample(s2, "rampart_payments_created_total", { dialect: "card" }) - sample(s0, "rampart_payments_created_total", { dialect: "card" }), 1);
});

test("canceled and expired; the expiry job is due, claimed and done; webhooks due then delivered", async () => {
  const s0 = await fresh();
  const c = await create(5020);
  assert.equal((await api("POST", `/payment/trading/pay-in/${c.id}/cancel`)).json().status, "canceled");
  const e = await create(5021);
  h.clock.advance(15 * 60_000 + 1);
  const due = await fresh();
  assert.ok(sample(due, "rampart_jobs_due", { kind: "trading.payin_expire" }) >= 1, "the expiry is due");
  assert.ok(sample(due, "rampart_jobs_oldest_due_age_seconds") >= CACHE_MS / 1000, "and has waited since its due time");
  assert.ok(sample(due, "rampart_webhooks_due") >= 1, "the cancel's webhook waits for the worker");

  await drainWorker(h.deps);
  assert.equal((await api("GET", `/payment/trading/${e.id}`)).json().status, "canceled");
  const s1 = await fresh();
  const moved = (name: string, labels: Record<string, string>) => sample(s1, name, labels) - sample(s0, name, labels);
  assert.equal(moved("rampart_payments_finished_total", { ...trading, outcome: "canceled" }), 1);
  assert.equal(moved("rampart_payments_finished_total", { ...trading, outcome: "expired" }), 1);
  assert.ok(moved("rampart_jobs_claimed_total", { kind: "trading.payin_expire" }) >= 1);
  assert.ok(moved("rampart_job_attempts_total", { kind: "trading.payin_expire", outcome: "done" }) >= 1);
  assert.ok(moved("rampart_webhook_attempts_total", { format: "trading", outcome: "delivered" }) >= 2, "cancel and expiry webhooks");
  assert.equal(sample(s1, "rampart_jobs_due", { kind: "trading.payin_expire" }), 0);
  assert.equal(sample(s1, "rampart_jobs_oldest_due_age_seconds"), 0);
  assert.equal(sample(s1, "rampart_webhooks_due"), 0);
});

test("a receiver's 500 is a retry and its 410 disables the endpoint", async () => {
  const s0 = await fresh();
  hooks.setScript(() => ({ status: 500, body: "down" }));
  const p = await create(5030);
  await api("POST", `/payment/trading/pay-in/${p.id}/cancel`);
  await drainWorker(h.deps);
  const s1 = await fresh();
  assert.equal(sample(s1, "rampart_webhook_attempts_total", { format: "trading", outcome: "retry" }) - sample(s0, "rampart_webhook_attempts_total", { format: "trading", outcome: "retry" }), 1);

  hooks.setScript(() => ({ status: 410, body: "gone" }));
  h.clock.advance(10 * 60_000); // past the retry's backoff
  await drainWorker(h.deps);
  const s2 = await fresh();
  assert.equal(sample(s2, "rampart_webhook_attempts_total", { format: "trading", outcome: "endpoint_disabled" }) - sample(s0, "rampart_webhook_attempts_total", { format: "trading", outcome: "endpoint_disabled" }), 1);
  assert.equal(sample(s2, "rampart_webhook_endpoints_disabled") - sample(s0, "rampart_webhook_endpoints_disabled"), 1);
});

test("requisites available, traders below the deposit threshold, open and overdue disputes, unmatched transfers", async () => {
  const s0 = await fresh();
  assert.equal(sample(s0, "rampart_requisites_available", { bank: "SBER", currency: "RUB" }), 2);
  assert.equal(s0.get('rampart_requisites_available{bank="TBANK",currency="RUB"}'), 0, "an enabled bank without requisites reads 0");
  assert.equal(sample(s0, "rampart_traders_low_deposit"), 0);
  h.deps.config.traderLowDepositMinor = Number.MAX_SAFE_INTEGER;
  assert.equal(sample(await fresh(), "rampart_traders_low_deposit"), 1, "the one trader's free deposit is now below the threshold");
  h.deps.config.traderLowDepositMinor = 1_000_000_000;

  const p = await create(5040);
  const inv = await uploadPngReceipt(h.app, fx.merchant.apiKey, p.id);
  assert.equal((await api("POST", `/payment/trading/pay-in/${p.id}/dispute`, { invoiceKey: inv, fiatAmount: 5040 })).statusCode, 200);
  const s1 = await fresh();
  assert.equal(sample(s1, "rampart_disputes_open") - sample(s0, "rampart_disputes_open"), 1);
  assert.equal(sample(s1, "rampart_disputes_past_deadline"), 0);
  h.clock.advance(31 * 60_000); // past disputeAutoResolveMinutes (30), before the worker runs the auto-resolve
  assert.equal(sample(await fresh(), "rampart_disputes_past_deadline"), 1);
  await drainWorker(h.deps);
  const s2 = await fresh();
  assert.equal(sample(s2, "rampart_disputes_past_deadline"), 0);
  assert.equal(sample(s2, "rampart_disputes_open"), sample(s0, "rampart_disputes_open"));

  const miss = await sandboxTransfer(h.app, { apiKey: fx.merchant.apiKey }, { requisiteId: fx.requisiteIds[0]!, amount: 777 });
  assert.equal(miss.json.outcome, "unmatched");
  assert.equal(sample(await fresh(), "rampart_bank_transfers_unmatched") - sample(s2, "rampart_bank_transfers_unmatched"), 1);
});

test("ledger verify records its result and time", async () => {
  const s0 = await fresh();
  assert.equal(sample(s0, "rampart_ledger_verify_timestamp_seconds"), 0, "never ran");
  assert.equal(sample(s0, "rampart_ledger_verify_ok"), 0);
  await verifyLedgerAndRecord(h.deps);
  const s1 = await fresh();
  assert.equal(sample(s1, "rampart_ledger_verify_ok"), 1);
  assert.equal(sample(s1, "rampart_ledger_verify_timestamp_seconds"), (h.clock.now().getTime() - CACHE_MS) / 1000);
});

test("a KYC case waiting for review", async () => {
  const s0 = await fresh();
  const userId = h.deps.ids.uuid();
  const now = h.clock.now();
  await h.deps.database.db.insertInto("kyc_users").values({ id: userId, store_id: fx.merchant.storeId, email: "review@example.com", created_at: now }).execute();
  await h.deps.database.db
    .insertInto("kyc_cases")
    .values({ id: h.deps.ids.uuid(), user_id: userId, level: "KYC_1", status: "review", files: JSON.stringify([]), created_at: now, updated_at: now } as never)
    .execute();
  h.clock.advance(60_000);
  const s1 = await fresh();
  assert.equal(sample(s1, "rampart_kyc_cases_waiting") - sample(s0, "rampart_kyc_cases_waiting"), 1);
  assert.equal(sample(s1, "rampart_kyc_oldest_waiting_age_seconds"), 60 + CACHE_MS / 1000);
});

test("rate age per pair, the pool in use, the NOTIFY listener", async () => {
  const rates = createRateCache(createFixedRateSource({ "RUB/USDT": "99.12" }, h.deps.clock), h.deps.clock, { refreshSeconds: 600, maxRateAgeSeconds: 600 });
  const saved = h.deps.ports.rates;
  h.deps.ports.rates = rates;
  try {
    assert.equal((await scrape(h.app)).has('rampart_rate_age_seconds{pair="RUB/USDT"}'), false, "no rate in hand yet");
    await rates.getRate("RUB", "USDT");
    h.clock.advance(30_000);
    assert.equal(sample(await scrape(h.app), "rampart_rate_age_seconds", { pair: "RUB/USDT" }), 30);
  } finally {
    h.deps.ports.rates = saved;
  }

  // The pool gauge read directly while a transaction holds a connection (a scrape would wait for
  // PGlite's one session).
  const pool = h.app.metrics.getSingleMetric("rampart_db_pool_connections")!;
  const inUse = async () => (await pool.get()).values.find((v) => v.labels.status === "in_use")!.value;
  const idle = await inUse();
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let entered!: () => void;
  const inside = new Promise<void>((r) => (entered = r));
  const trx = h.deps.database.db.transaction().execute(async (t) => {
    await t.selectFrom("merchants").select("id").limit(1).execute();
    entered();
    await held;
  });
  await inside;
  assert.equal(await inUse(), idle + 1);
  release();
  await trx;
  assert.equal(await inUse(), idle);

  assert.equal(sample(await scrape(h.app), "rampart_notify_listener_connected"), 1);
});

test("the scrape's statement is prepared once per connection and then reused, not planned on every scrape", { skip: usePostgres() ? false : "PostgreSQL only: PGlite runs it as it is" }, async () => {
  // One connection, so the catalogue query below sees the session that ran the snapshot.
  const own = await createTestDatabase({ poolSize: 1 });
  try {
    const input = { now: new Date(), cap: GAUGE_COUNT_CAP, deposit: TRADER_DEPOSIT_ACCOUNT, lowDepositMinor: 1n };
    const first = await readOpsSnapshot(own.database.db, input);
    for (let i = 0; i < 9; i++) assert.deepEqual(await readOpsSnapshot(own.database.db, input), first);
    const { rows } = await sql<{ name: string; runs: string }>`
      SELECT name, (generic_plans + custom_plans)::text AS runs FROM pg_prepared_statements`.execute(own.database.db);
    assert.equal(rows.length, 1, JSON.stringify(rows));
    assert.match(rows[0]!.name, /^rampart_hot_\d+$/, "a hot statement (hot-statements.ts)");
    assert.equal(rows[0]!.runs, "10");
  } finally {
    await own.close();
  }
});
