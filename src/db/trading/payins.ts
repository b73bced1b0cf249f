// SQL for trading pay-ins, their events and receipts.
import { type CompiledQuery, type Insertable, type QueryResult, type Selectable, sql, type Updateable } from "kysely";
import type { TradingPayinStatus } from "../../core/trading/payin-status.js";
import type { Db } from "../schema.js";
import type { TradingPayinsTable } from "../tables/trading.js";
import { noteAuditChange } from "../audit/audit-scope.js";
import { decisionsCte, type NewRiskDecision } from "../risk/decisions.js";
import { hot, namedColumns } from "../hot-statements.js";
import { jobsInsert, type NewJobRow } from "../outbox/jobs.js";

export type TradingPayinRow = Selectable<TradingPayinsTable>;

/** The columns a new pay-in is inserted with, and their types: the insert below is one text for any batch. */
const INSERTED = {
  id: "uuid",
  merchant_id: "uuid",
  api_key_id: "text",
  status: "text",
  fiat_amount_minor: "int8",
  fiat_currency: "text",
  crypto_amount_minor: "int8",
  merchant_fee_minor: "int8",
  fee_rate: "numeric",
  currency_rate: "text",
  crypto_currency: "text",
  crypto_network: "text",
  bank_code: "text",
  method: "text",
  requisite_id: "uuid",
  trader_id: "text",
  external_transaction_id: "text",
  request_fingerprint: "text",
  callback_url: "text",
  extra: "json",
  deposit_type: "text",
  transfer_type: "text",
  hold_transfer_id: "text",
  expires_at: "timestamptz",
  created_at: "timestamptz",
  updated_at: "timestamptz",
} as const satisfies Partial<Record<keyof TradingPayinsTable, string>>;
const INSERTED_COLUMNS = Object.keys(INSERTED).join(", ");

/** Every column, named: the insert is a prepared statement (namedColumns). */
const PAYIN_COLUMN_SET: Record<keyof TradingPayinsTable, true> = {
  id: true, merchant_id: true, api_key_id: true, status: true, fiat_amount_minor: true, fiat_currency: true, crypto_amount_minor: true,
  merchant_fee_minor: true, fee_rate: true, currency_rate: true, crypto_currency: true, crypto_network: true, bank_code: true, method: true,
  requisite_id: true, trader_id: true, external_transaction_id: true, request_fingerprint: true, callback_url: true, extra: true,
  deposit_type: true, transfer_type: true, hold_transfer_id: true, hold_state: true, dispute_merchant_invoice_key: true,
  dispute_trader_invoice_key: true, dispute_merchant_fiat_minor: true, dispute_trader_fiat_minor: true, dispute_comment: true,
  dispute_opened_at: true, payer_claimed_at: true, expires_at: true, closed_at: true, created_at: true, updated_at: true,
};
const PAYIN_COLUMNS = namedColumns(PAYIN_COLUMN_SET);

export interface NewPayin {
  row: { [K in keyof typeof INSERTED]: Insertable<TradingPayinsTable>[K] } & { id: string; requisite_id: string };
  event: { actor: string; actorId: string | null; to: TradingPayinStatus; at: Date };
  expiryJob: NewJobRow & { groupKey: string };
  riskDecision: NewRiskDecision | null;
}

/**
 * A new pay-in's writes in ONE statement, one round trip inside the create's transaction: the
 * requisite's turn (last_assigned_at), the pay-in row, its first event, its expiry job (the job row as
 * insertJob writes it) and its risk decision when it was assessed. Returns the stored pay-in.
 */
export async function insertNewPayin(db: Db, a: NewPayin): Promise<TradingPayinRow> {
  const statement = newPayinsStatement(db, [a]);
  return statement.read(await db.executeQuery(statement.query))[0]!;
}

/**
 * Several new pay-ins' writes (insertNewPayin's) in ONE statement, for a batch of creates
 * (app/trading/create-batch.ts, which runs it with the holds: db/pipelined.ts); each requisite's turn
 * is taken once, at its latest pay-in's time, counting all of them. The statement, and the reading of
 * its result: the stored pay-ins in input order.
 */
export function newPayinsStatement(db: Db, list: readonly NewPayin[]): { query: CompiledQuery<TradingPayinRow>; read(result: QueryResult<unknown>): TradingPayinRow[] } {
  const turns = new Map<string, { at: Date; n: number }>();
  for (const a of list) {
    const t = turns.get(a.row.requisite_id);
    turns.set(a.row.requisite_id, { at: t && t.at > a.event.at ? t.at : a.event.at, n: (t?.n ?? 0) + 1 });
  }
  const column = <T>(values: T[], type: string) => sql`${values}::${sql.raw(type)}[]`;
  const payinColumns = Object.entries(INSERTED).map(([name, type]) => column(list.map((a) => a.row[name as keyof typeof INSERTED] ?? null), type));
  const decisions = list.flatMap((a) => (a.riskDecision ? [a.riskDecision] : []));
  // Arrays, not VALUES lists: one text whatever the batch's size, prepared once per connection (hot).
  const query = hot(db, sql<TradingPayinRow>`
    WITH touched AS (
      UPDATE trading_requisites r SET last_assigned_at = v.at, payins_assigned = r.payins_assigned + v.n
      FROM unnest(${[...turns.keys()]}::uuid[], ${[...turns.values()].map((t) => t.at)}::timestamptz[], ${[...turns.values()].map((t) => t.n)}::int[]) AS v(id, at, n)
      WHERE r.id = v.id
    ), payin AS (
      INSERT INTO trading_payins (${sql.raw(INSERTED_COLUMNS)})
      SELECT * FROM unnest(${sql.join(payinColumns)})
      RETURNING ${PAYIN_COLUMNS}
    ), event AS (
      INSERT INTO trading_payin_events (payin_id, actor, actor_id, from_status, to_status, at, data)
      SELECT p.id, e.actor, e.actor_id, NULL, e.to_status, e.at, '{}'
      FROM payin p JOIN unnest(${list.map((a) => a.row.id)}::uuid[], ${list.map((a) => a.event.actor)}::text[], ${list.map((a) => a.event.actorId)}::text[],
                               ${list.map((a) => a.event.to)}::text[], ${list.map((a) => a.event.at)}::timestamptz[]) AS e(payin_id, actor, actor_id, to_status, at)
        ON e.payin_id = p.id
    ), job AS (${jobsInsert(list.map((a) => a.expiryJob))})${decisionsCte(db, decisions)}
    SELECT ${PAYIN_COLUMNS} FROM payin`);
  return {
    query,
    read(result) {
      const byId = new Map((result.rows as TradingPayinRow[]).map((r) => [r.id, r]));
      return list.map((a) => byId.get(a.row.id)!);
    },
  };
}

export async function findPayin(db: Db, id: string): Promise<TradingPayinRow | undefined> {
  return db.selectFrom("trading_payins").selectAll().where("id", "=", id).executeTakeFirst();
}

/** Another merchant's pay-in is simply not found. */
export async function findMerchantPayin(db: Db, merchantId: string, id: string): Promise<TradingPayinRow | undefined> {
  return db.selectFrom("trading_payins").selectAll().where("id", "=", id).where("merchant_id", "=", merchantId).executeTakeFirst();
}

export async function lockPayin(db: Db, id: string): Promise<TradingPayinRow | undefined> {
  return db.selectFrom("trading_payins").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
}

/** Locks several pay-ins in id order (one order for every batch, so two batches never deadlock). */
export async function lockPayins(db: Db, ids: readonly string[]): Promise<TradingPayinRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom("trading_payins").selectAll().where("id", "in", [...ids]).orderBy("id").forUpdate().execute();
}

export async function findByExternalId(db: Db, merchantId: string, externalId: string): Promise<TradingPayinRow | undefined> {
  return db
    .selectFrom("trading_payins")
    .selectAll()
    .where("merchant_id", "=", merchantId)
    .where("external_transaction_id", "=", externalId)
    .executeTakeFirst();
}

/** The one active pay-in holding a slot (the unique index allows at most one), locked. */
export async function lockActiveBySlot(db: Db, requisiteId: string, amountMinor: bigint, merchantId: string | null = null): Promise<TradingPayinRow | undefined> {
  return db
    .selectFrom("trading_payins")
    .selectAll()
    .$if(merchantId !== null, (q) => q.where("merchant_id", "=", merchantId!))
    .where("requisite_id", "=", requisiteId)
    .where("fiat_amount_minor", "=", amountMinor.toString())
    .where("status", "=", "active")
    .forUpdate()
    .executeTakeFirst();
}

/** The pay-in that closed last on a slot, locked: a transfer finding no active pay-in there may be its payment. */
export async function lockLastClosedBySlot(db: Db, requisiteId: string, amountMinor: bigint, merchantId: string | null = null): Promise<TradingPayinRow | undefined> {
  return db
    .selectFrom("trading_payins")
    .selectAll()
    .$if(merchantId !== null, (q) => q.where("merchant_id", "=", merchantId!))
    .where("requisite_id", "=", requisiteId)
    .where("fiat_amount_minor", "=", amountMinor.toString())
    .where("status", "=", "closed")
    .orderBy("closed_at", "desc")
    .limit(1)
    .forUpdate()
    .executeTakeFirst();
}

export async function updatePayin(db: Db, id: string, set: Updateable<TradingPayinsTable>): Promise<void> {
  await db.updateTable("trading_payins").set(set).where("id", "=", id).execute();
}

/** Writes the same columns on several pay-ins; returns them as written. */
export async function updatePayins(db: Db, ids: readonly string[], set: Updateable<TradingPayinsTable>): Promise<TradingPayinRow[]> {
  if (ids.length === 0) return [];
  return db.updateTable("trading_payins").set(set).where("id", "in", [...ids]).returningAll().execute();
}

interface PayinEvent {
  payinId: string;
  actor: string;
  actorId: string | null;
  from: TradingPayinStatus | null;
  to: TradingPayinStatus;
  at: Date;
  data?: unknown;
}

export async function insertPayinEvent(db: Db, e: PayinEvent): Promise<void> {
  await insertPayinEvents(db, [e]);
}

export async function insertPayinEvents(db: Db, events: readonly PayinEvent[]): Promise<void> {
  if (events.length === 0) return;
  for (const e of events) noteAuditChange(db, { subject: `trading_payin:${e.payinId}`, before: e.from, after: e.to });
  await db
    .insertInto("trading_payin_events")
    .values(
      events.map((e) => ({
        payin_id: e.payinId,
        actor: e.actor,
        actor_id: e.actorId,
        from_status: e.from,
        to_status: e.to,
        at: e.at,
        data: JSON.stringify(e.data ?? {}),
      })),
    )
    .execute();
}

export async function countPayinEvents(db: Db, payinId: string): Promise<number> {
  const r = await db.selectFrom("trading_payin_events").select((eb) => eb.fn.countAll<string>().as("n")).where("payin_id", "=", payinId).executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function listPayinEvents(db: Db, payinId: string) {
  return db.selectFrom("trading_payin_events").selectAll().where("payin_id", "=", payinId).orderBy("id").execute();
}

export interface PayinListFilter {
  merchantId?: string;
  traderId?: string;
  status?: TradingPayinStatus;
  from?: Date;
  to?: Date;
  /** Keyset: rows strictly older than (createdAt, id). */
  before?: { createdAt: Date; id: string };
  limit: number;
}

/** Newest first, keyset-paginated. */
export async function listPayins(db: Db, f: PayinListFilter): Promise<TradingPayinRow[]> {
  let q = db.selectFrom("trading_payins").selectAll();
  if (f.merchantId) q = q.where("merchant_id", "=", f.merchantId);
  if (f.traderId) q = q.where("trader_id", "=", f.traderId);
  if (f.status) q = q.where("status", "=", f.status);
  if (f.from) q = q.where("created_at", ">=", f.from);
  if (f.to) q = q.where("created_at", "<", f.to);
  if (f.before) {
    const b = f.before;
    q = q.where(sql<boolean>`(created_at, id) < (${b.createdAt}, ${b.id}::uuid)`);
  }
  return q.orderBy("created_at", "desc").orderBy("id", "desc").limit(f.limit).execute();
}

export async function insertReceipt(
  db: Db,
  r: { invoiceKey: string; payinId: string; uploadedBy: string; storageKey: string; contentType: string; size: number; at: Date },
): Promise<void> {
  await db
    .insertInto("trading_receipts")
    .values({
      invoice_key: r.invoiceKey,
      payin_id: r.payinId,
      uploaded_by: r.uploadedBy,
      storage_key: r.storageKey,
      content_type: r.contentType,
      size_bytes: r.size,
      created_at: r.at,
    })
    .execute();
}

/** Removes a receipt's row (one no dispute named); returns the stored file's key, or undefined when there was none. */
export async function deleteReceipt(db: Db, invoiceKey: string): Promise<string | undefined> {
  const r = await db.deleteFrom("trading_receipts").where("invoice_key", "=", invoiceKey).returning("storage_key").executeTakeFirst();
  return r?.storage_key;
}

export async function findReceipt(db: Db, invoiceKey: string) {
  return db.selectFrom("trading_receipts").selectAll().where("invoice_key", "=", invoiceKey).executeTakeFirst();
}

/** Pay-ins in any of `statuses` (optionally one trader's), oldest update first: the queue to work through. */
export async function listPayinsInStatuses(db: Db, f: { statuses: TradingPayinStatus[]; traderId?: string; limit: number }): Promise<TradingPayinRow[]> {
  let q = db.selectFrom("trading_payins").selectAll().where("status", "in", f.statuses);
  if (f.traderId) q = q.where("trader_id", "=", f.traderId);
  return q.orderBy("updated_at", "asc").orderBy("id").limit(f.limit).execute();
}

export async function listReceiptsOfPayins(db: Db, payinIds: string[]) {
  if (payinIds.length === 0) return [];
  return db
    .selectFrom("trading_receipts")
    .select(["invoice_key", "payin_id", "uploaded_by", "content_type", "size_bytes", "created_at"])
    .where("payin_id", "in", payinIds)
    .orderBy("created_at")
    .execute();
}
