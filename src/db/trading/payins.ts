// SQL for trading pay-ins, their events and receipts.
import { type CompiledQuery, type Insertable, type QueryResult, type Selectable, sql, type Updateable } from "kysely";
import type { TradingPayinStatus } from "../../core/trading/payin-status.js";
import type { Db } from "../schema.js";
import type { TradingPayinsTable } from "../tables/trading.js";
import { noteAuditChange } from "../audit/audit-scope.js";
import { decisionsCte, type NewRiskDecision } from "../risk/decisions.js";


export type TradingPayinRow = Selectable<TradingPayinsTable>;

export interface NewPayin {
  row: Insertable<TradingPayinsTable> & { id: string; requisite_id: string };
  event: { actor: string; actorId: string | null; to: TradingPayinStatus; at: Date };
  expiryJob: { id: string; kind: string; key: string; payload: unknown; dueAt: Date; groupKey: string };
  riskDecision: NewRiskDecision | null;
}

/**
 * A new pay-in's writes in ONE statement, one round trip inside the create's transaction: the
 * requisite's turn (last_assigned_at), the pay-in row, its first event, its expiry job (the job row as
 * insertJob writes it) and its risk decision when it was assessed. Returns the stored pay-in.
 */
export async function insertNewPayin(db: Db, a: NewPayin): Promise<TradingPayinRow> {
  return (await insertNewPayins(db, [a]))[0]!;
}

/**
 * Several new pay-ins' writes (insertNewPayin's) in ONE statement, for a batch of creates
 * (app/trading/create-batch.ts); each requisite's turn is taken once, at its latest pay-in's time,
 * counting all of them. Returns the stored pay-ins in input order.
 */
export async function insertNewPayins(db: Db, list: readonly NewPayin[]): Promise<TradingPayinRow[]> {
  const statement = newPayinsStatement(db, list);
  return statement.read(await db.executeQuery(statement.query));
}

/** insertNewPayins's statement, to be run by the caller (with others: db/pipelined.ts), and the reading of its result. */
export function newPayinsStatement(db: Db, list: readonly NewPayin[]): { query: CompiledQuery<TradingPayinRow>; read(result: QueryResult<unknown>): TradingPayinRow[] } {
  const turns = new Map<string, { at: Date; n: number }>();
  for (const a of list) {
    const t = turns.get(a.row.requisite_id);
    turns.set(a.row.requisite_id, { at: t && t.at > a.event.at ? t.at : a.event.at, n: (t?.n ?? 0) + 1 });
  }
  const turnRows = [...turns].map(([id, t]) => sql`(${id}::uuid, ${t.at}::timestamptz, ${t.n}::int)`);
  const eventRows = list.map((a) => sql`(${a.row.id}::uuid, ${a.event.actor}::text, ${a.event.actorId}::text, ${a.event.to}::text, ${a.event.at}::timestamptz)`);
  const payin = db.insertInto("trading_payins").values(list.map((a) => a.row)).returningAll();
  const job = db
    .insertInto("jobs")
    .values(list.map((a) => ({ id: a.expiryJob.id, kind: a.expiryJob.kind, key: a.expiryJob.key, payload: JSON.stringify(a.expiryJob.payload), due_at: a.expiryJob.dueAt, group_key: a.expiryJob.groupKey })))
    .onConflict((oc) => oc.column("key").doNothing());
  const decisions = list.flatMap((a) => (a.riskDecision ? [a.riskDecision] : []));
  const query = sql<TradingPayinRow>`
    WITH touched AS (
      UPDATE trading_requisites r SET last_assigned_at = v.at, payins_assigned = r.payins_assigned + v.n
      FROM (VALUES ${sql.join(turnRows)}) AS v(id, at, n) WHERE r.id = v.id
    ), payin AS (${payin}),
    event AS (
      INSERT INTO trading_payin_events (payin_id, actor, actor_id, from_status, to_status, at, data)
      SELECT p.id, e.actor, e.actor_id, NULL, e.to_status, e.at, '{}'
      FROM payin p JOIN (VALUES ${sql.join(eventRows)}) AS e(payin_id, actor, actor_id, to_status, at) ON e.payin_id = p.id
    ),
    job AS (${job})${decisionsCte(db, decisions)}
    SELECT * FROM payin`.compile(db);
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
