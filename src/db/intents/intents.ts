// SQL for payment intents, their events, store settings and payouts.
import { type Insertable, type Selectable, sql, type Transaction, type Updateable } from "kysely";
import type { IntentStatus } from "../../core/intents/intent-status.js";
import type { DB, Db } from "../schema.js";
import type { IntentPayoutsTable, IntentStoreSettingsTable, PaymentIntentsTable } from "../tables/intents.js";
import { namedColumns, runHot } from "../hot-statements.js";
import { jobsInsert, type NewJobRow } from "../outbox/jobs.js";
import { decisionsCte, type NewRiskDecision } from "../risk/decisions.js";

export type IntentRow = Selectable<PaymentIntentsTable>;
export type IntentSettingsRow = Selectable<IntentStoreSettingsTable>;
type PayoutRow = Selectable<IntentPayoutsTable>;

/** The store's owner and its intent settings (undefined when the store has none), in one round trip. */
export async function findStoreWithSettings(db: Db, storeId: string): Promise<{ merchantId: string; settings: IntentSettingsRow | undefined } | undefined> {
  const row = await db
    .selectFrom("stores as st")
    .leftJoin("intent_store_settings as s", "s.store_id", "st.id")
    .select("st.merchant_id as owner_merchant_id")
    .selectAll("s")
    .where("st.id", "=", storeId)
    .executeTakeFirst();
  if (!row) return undefined;
  const { owner_merchant_id: merchantId, ...settings } = row;
  return { merchantId, settings: settings.store_id === null ? undefined : (settings as IntentSettingsRow) };
}

export async function findIntentSettings(db: Db, storeId: string): Promise<IntentSettingsRow | undefined> {
  return db.selectFrom("intent_store_settings").selectAll().where("store_id", "=", storeId).executeTakeFirst();
}

/** The settings of several stores in one read, by store id (stores without settings are absent). */
export async function findIntentSettingsOf(db: Db, storeIds: readonly string[]): Promise<Map<string, IntentSettingsRow>> {
  if (storeIds.length === 0) return new Map();
  const rows = await db.selectFrom("intent_store_settings").selectAll().where("store_id", "in", [...storeIds]).execute();
  return new Map(rows.map((r) => [r.store_id, r]));
}

/** A store's settings locked for a read-modify-write (the merchant's partial update). */
export async function lockIntentSettings(trx: Transaction<DB>, storeId: string): Promise<IntentSettingsRow | undefined> {
  return trx.selectFrom("intent_store_settings").selectAll().where("store_id", "=", storeId).forUpdate().executeTakeFirst();
}

/** Inserts a store's settings unless it has some; true when this call inserted them. */
export async function insertIntentSettings(db: Db, row: Insertable<IntentStoreSettingsTable>): Promise<boolean> {
  const r = await db
    .insertInto("intent_store_settings")
    .values(row)
    .onConflict((oc) => oc.column("store_id").doNothing())
    .executeTakeFirst();
  return (r.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

/** False when the store has no settings. */
export async function updateIntentSettings(db: Db, storeId: string, set: Updateable<IntentStoreSettingsTable>): Promise<boolean> {
  const r = await db.updateTable("intent_store_settings").set(set).where("store_id", "=", storeId).executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

interface IntentEvent {
  from: number | null;
  actor: string;
  at: Date;
  data?: Record<string, unknown>;
}

/** The next order number, drawn from the sequence only where it is evaluated. */
const NEXT_ORDER_NUMBER = sql<string>`'ORD-' || nextval('intent_order_number_seq')`;

/**
 * Every column of payment_intents (namedColumns), named by the creates' insert and returned by it: a
 * column left out would take its default (jsonb_populate_record gives none).
 */
const INTENT_COLUMN_SET: Record<keyof PaymentIntentsTable, true> = {
  id: true, merchant_id: true, store_id: true, user_id: true, kyc_case_id: true, status: true, email: true, country: true, ip: true,
  payment_method: true, fiat_currency: true, fiat_minor: true, fee_fiat_minor: true, crypto_symbol: true, network: true,
  crypto_minor: true, network_fee_minor: true, rate: true, rate_source: true, rate_fetched_at: true, wallet_address: true,
  kyc_redirect_url: true, success_url: true, cancel_url: true, ipn_url: true, order_number: true, reference: true,
  paid_fiat_minor: true, tx_hash: true, window_ends_at: true, bank_iban: true, bank_bic: true, bank_beneficiary: true,
  bank_name: true, created_at: true, updated_at: true,
};
const INTENT_COLUMNS = namedColumns(INTENT_COLUMN_SET);

/** JSON for jsonb_to_recordset: a bigint travels as its digits. */
const toJson = (value: unknown) => JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v));

/** The event columns of a change, as the statements below read them back with jsonb_to_recordset. */
const eventColumns = (c: IntentChange) => ({ from_status: c.event.from, actor: c.event.actor, at: c.event.at, data: c.event.data ?? {} });

/** The event row of a change: the status it reached is read from the written row itself. */
function eventFrom(table: "u", e: IntentEvent) {
  return sql`INSERT INTO payment_intent_events (intent_id, from_status, to_status, actor, at, data)
    SELECT id, ${e.from}::int, status, ${e.actor}, ${e.at}, ${JSON.stringify(e.data ?? {})}::jsonb FROM ${sql.table(table)}`;
}

/**
 * Inserts intents, each with its first event (created, by the merchant, at its creation time) and the
 * risk decisions of those assessed, in one statement whatever their number: concurrent creates are
 * written as a batch (app/intents/intent-batch.ts). A row with a move (`moves[n]`, decided by
 * app/intents/transition.ts) is inserted with the move's columns already set and its event after the
 * created one, as if updateIntents had run on it at once; the moves' jobs go in the same statement.
 * Rows come back in the order given.
 */
export async function insertIntents(
  db: Db,
  rows: readonly Insertable<PaymentIntentsTable>[],
  riskDecisions: readonly NewRiskDecision[],
  moves: readonly (IntentChange | null)[],
  jobs: readonly NewJobRow[],
): Promise<IntentRow[]> {
  const docs = rows.map((r, n) => {
    const m = moves[n];
    if (!m) return r;
    // A row's columns and its move's event are joined by id in SQL: a move given for another row is a bug.
    if (m.id !== r.id) throw new Error(`insertIntents: move ${m.id} given for row ${String(r.id)}`);
    return { ...r, ...m.set, assign_order_number: m.assignOrderNumber };
  });
  const moved = toJson(moves.flatMap((m) => (m ? [{ id: m.id, ...eventColumns(m) }] : [])));
  // Every part goes as one JSON document, so the statement's text is the same whatever the batch's size
  // and it is prepared once per connection (runHot). As a VALUES list, about 35 parameters a row, it was
  // parsed and planned afresh at every batch: bench/intent.ts at c=32 spent 0.198–0.227 ms of
  // PostgreSQL's CPU a create that way against 0.167–0.185 prepared, and answered 1,913–2,420 creates a
  // second against 2,318–2,679 (issue 16, docs/benchmarks.md). A row whose move enters status 4 draws
  // its order number here, once (LATERAL: evaluated once per row). The created event's status is the
  // move's starting one for a moved row; event ids follow `step`, so a row's created event always comes
  // before its move.
  const { rows: written } = await runHot(db, sql<IntentRow>`WITH i AS (
      INSERT INTO payment_intents (${INTENT_COLUMNS})
      SELECT ${INTENT_COLUMNS} FROM jsonb_array_elements(${toJson(docs)}::jsonb) WITH ORDINALITY AS d(doc, n),
        LATERAL jsonb_populate_record(NULL::payment_intents,
          CASE WHEN (d.doc->>'assign_order_number')::boolean THEN d.doc || jsonb_build_object('order_number', ${NEXT_ORDER_NUMBER}) ELSE d.doc END) p
      ORDER BY d.n
      RETURNING ${INTENT_COLUMNS}),
    m AS (SELECT * FROM jsonb_to_recordset(${moved}::jsonb) AS m(id text, from_status int, actor text, at timestamptz, data jsonb)),
    e AS (INSERT INTO payment_intent_events (intent_id, from_status, to_status, actor, at, data)
            SELECT intent_id, from_status, to_status, actor, at, data FROM (
              SELECT i.id AS intent_id, NULL::int AS from_status, coalesce(m.from_status, i.status) AS to_status, 'merchant' AS actor, i.created_at AS at, '{}'::jsonb AS data, 0 AS step
                FROM i LEFT JOIN m ON m.id = i.id
              UNION ALL
              SELECT i.id, m.from_status, i.status, m.actor, m.at, m.data, 1 FROM i JOIN m ON m.id = i.id) x
            ORDER BY step, intent_id),
    j AS (${jobsInsert(jobs)})${decisionsCte(db, riskDecisions)}
    SELECT ${INTENT_COLUMNS} FROM i`);
  return inOrder(rows, written);
}

/** The rows written, in the order of the rows asked for (RETURNING promises no order). */
function inOrder(asked: readonly { id?: unknown }[], written: IntentRow[]): IntentRow[] {
  const byId = new Map(written.map((r) => [r.id, r]));
  return asked.map((a) => {
    const row = byId.get(a.id as string);
    if (!row) throw new Error(`payment intent ${String(a.id)} was not written`);
    return row;
  });
}

export async function findIntent(db: Db, id: string): Promise<IntentRow | undefined> {
  return db.selectFrom("payment_intents").selectAll().where("id", "=", id).executeTakeFirst();
}

/** The columns the status read and the merchant's list show (the amounts once the intent is paid). */
const STATUS_COLUMNS = [
  "id",
  "merchant_id",
  "store_id",
  "email",
  "status",
  "order_number",
  "tx_hash",
  "fiat_currency",
  "fiat_minor",
  "fee_fiat_minor",
  "crypto_symbol",
  "network",
  "crypto_minor",
  "network_fee_minor",
  "rate",
  "created_at",
] as const;
export type IntentStatusRow = Pick<IntentRow, (typeof STATUS_COLUMNS)[number]>;

/** What the status endpoint shows, by id alone (the caller checks the merchant). */
export async function findIntentStatusRow(db: Db, id: string): Promise<IntentStatusRow | undefined> {
  return db.selectFrom("payment_intents").select(STATUS_COLUMNS).where("id", "=", id).executeTakeFirst();
}

interface IntentListFilter {
  merchantId: string;
  status?: IntentStatus;
  email?: string;
  storeId?: string;
  from?: Date;
  to?: Date;
  /** The page starts after this id (ids are time-ordered: newest first is id descending). */
  beforeId?: string;
  limit: number;
}

/** One merchant's intents, newest first. */
export async function listMerchantIntents(db: Db, f: IntentListFilter): Promise<IntentStatusRow[]> {
  let q = db.selectFrom("payment_intents").select(STATUS_COLUMNS).where("merchant_id", "=", f.merchantId);
  if (f.status !== undefined) q = q.where("status", "=", f.status);
  if (f.email !== undefined) q = q.where("email", "=", f.email);
  if (f.storeId !== undefined) q = q.where("store_id", "=", f.storeId);
  if (f.from) q = q.where("created_at", ">=", f.from);
  if (f.to) q = q.where("created_at", "<", f.to);
  if (f.beforeId !== undefined) q = q.where("id", "<", f.beforeId);
  return q.orderBy("id", "desc").limit(f.limit).execute();
}

/** Another merchant's intent is simply not found. */
export async function findMerchantIntent(db: Db, merchantId: string, id: string): Promise<IntentRow | undefined> {
  return db.selectFrom("payment_intents").selectAll().where("id", "=", id).where("merchant_id", "=", merchantId).executeTakeFirst();
}

export async function lockIntent(db: Db, id: string): Promise<IntentRow | undefined> {
  return db.selectFrom("payment_intents").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
}

export async function lockIntentByReference(db: Db, reference: string, merchantId: string | null = null): Promise<IntentRow | undefined> {
  return db
    .selectFrom("payment_intents")
    .selectAll()
    .where("reference", "=", reference)
    .$if(merchantId !== null, (q) => q.where("merchant_id", "=", merchantId!))
    .forUpdate()
    .executeTakeFirst();
}

/** Intents waiting on a user's KYC (statuses 2 and 3), locked in id order. */
export async function lockIntentsWaitingOnUser(db: Db, userId: string): Promise<IntentRow[]> {
  return db
    .selectFrom("payment_intents")
    .selectAll()
    .where("user_id", "=", userId)
    .where("status", "in", [2, 3])
    .orderBy("id")
    .forUpdate()
    .execute();
}

/**
 * An event that changes no status (a payment refunded on its own): from and to are the current status.
 * The row's updated_at moves with it, so the change notification drops cached status reads.
 */
export async function recordIntentEvent(db: Db, id: string, event: IntentEvent): Promise<void> {
  const update = db.updateTable("payment_intents").set({ updated_at: event.at }).where("id", "=", id).returning(["id", "status"]);
  await sql`WITH u AS (${update}), e AS (${eventFrom("u", event)}) SELECT 1`.execute(db);
}

/** A status change of one intent: the columns it sets, its event, and whether it draws an order number. */
export interface IntentChange {
  id: string;
  /** Plain values (a bigint travels as its digits): each row's own columns are set from them. */
  set: Updateable<PaymentIntentsTable>;
  event: IntentEvent;
  /** Gives the intent the next order number unless it has one (the sequence is only drawn when it has none). */
  assignOrderNumber: boolean;
}

/**
 * Writes status changes and their events in one statement. Each row takes only the columns of its own `set`: the others are
 * read back from the row itself (jsonb_populate_record over the current row). Rows come back in the
 * order given.
 */
export async function updateIntents(db: Db, changes: readonly IntentChange[]): Promise<IntentRow[]> {
  const columns = [...new Set(changes.flatMap((c) => Object.keys(c.set)))];
  const input = toJson(changes.map((c) => ({ id: c.id, set: c.set, assign_order: c.assignOrderNumber, ...eventColumns(c) })));
  const { rows } = await sql<IntentRow>`
    WITH r AS (SELECT * FROM jsonb_to_recordset(${input}::jsonb) AS r(id text, set jsonb, assign_order boolean, from_status int, actor text, at timestamptz, data jsonb)),
         u AS (UPDATE payment_intents p
                  SET (${sql.join(columns.map((c) => sql.id(c)))}) = (SELECT ${sql.join(columns.map((c) => sql.ref(`x.${c}`)))} FROM jsonb_populate_record(p, r.set) x),
                      order_number = CASE WHEN r.assign_order AND p.order_number IS NULL THEN ${NEXT_ORDER_NUMBER} ELSE p.order_number END
                 FROM r WHERE p.id = r.id RETURNING p.*),
         e AS (INSERT INTO payment_intent_events (intent_id, from_status, to_status, actor, at, data)
                 SELECT u.id, r.from_status, u.status, r.actor, r.at, r.data FROM u JOIN r ON r.id = u.id)
    SELECT * FROM u`.execute(db);
  // The callers hold the rows locked (or wrote them in this transaction): a missing one is a bug.
  return inOrder(changes, rows);
}

export async function insertPayout(db: Db, row: Insertable<IntentPayoutsTable>): Promise<void> {
  await db.insertInto("intent_payouts").values(row).onConflict((oc) => oc.column("intent_id").doNothing()).execute();
}

export async function lockPayout(db: Db, intentId: string): Promise<PayoutRow | undefined> {
  return db.selectFrom("intent_payouts").selectAll().where("intent_id", "=", intentId).forUpdate().executeTakeFirst();
}

export async function updatePayout(db: Db, payoutKey: string, set: Updateable<IntentPayoutsTable>): Promise<void> {
  await db.updateTable("intent_payouts").set(set).where("payout_key", "=", payoutKey).execute();
}
