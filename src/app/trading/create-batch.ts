// Concurrent trading creates of this process, written together (issue 16): they queue in a
// writeBatcher (app/batching/write-batcher.ts) and a batch of N runs in ONE transaction at a number of
// statements that does not grow with N (only with the kinds of ask, at most MAX_PICKS picks):
//  1. one statement per kind of ask (currency, method, bank, kind of trader; the narrowest first, at
//     most MAX_PICKS) picks candidate requisites for its members and locks up to as many, least
//     recently used first, SKIP LOCKED (a batch never waits for a requisite, so it cannot deadlock on
//     one), with each locked requisite's usage read in the pick's snapshot and trusted only where the
//     locked row is the version that snapshot saw (db/trading/requisites.ts pickAndLockRequisites; a
//     second statement re-reads the usage a concurrent create changed). One pick per kind of ask: its
//     currency must be a scalar to walk the least-recently-used index, and a member naming a bank must
//     not have another bank's requisites locked for it;
//  2. in Node, members are given (requisite, amount) slots as one create after another would take
//     them: the least recently used requisite that fits (allocate.ts fitsRequisite: open maximum, a
//     free amount, day and month volume) and whose trader's free deposit as the pick read it, less the
//     holds the batch gave it already, covers the hold;
//  3. one statement writes every pay-in with its event, expiry job and requisite turn;
//  4. one statement locks the traders' deposit and escrow rows (account id order, the ledger's one
//     order) and writes every hold, only if each deposit still covers them (ledger.ts
//     postTransfersLast); otherwise it fails. It goes in the same round trip as 3 (db/pipelined.ts):
//     PostgreSQL runs it right after the insert, and, on PostgreSQL, the transaction's COMMIT right
//     after it, so a batch takes three round trips, not four (issue 16). The rows every create of a
//     trader shares stay locked for that statement and the commit only: a concurrent batch of the same
//     traders waits for no more than that (issue 16: with the rows locked from the pick on, batches in
//     flight queued on them through every statement and round trip).
// A batch whose holds a concurrent create left uncovered (it took the deposit after the pick read it),
// or whose trader has no escrow account yet, rolls back whole and its members take the single path,
// which tries the next requisite or opens the account.
// Lock order: requisites, then (the insert's triggers) their part-0 open-count and day-volume
// counters, which only creates write and only under their requisite's lock (0078_p, 0080_e), then the
// balance rows: nobody holding a balance row this batch waits for can be waiting for its requisites or
// their part-0 counters.
//
// A member the batch does not place (its candidates locked by other creates, nothing locked fits, or
// its kind of ask is not among the MAX_PICKS largest) is answered "unplaced" and runs the single path
// (create-payin.ts) after the batch commits, holding no lock while it waits there, so its answer (201,
// no_requisite_available) is the single path's. Any error fails the batch, whose members writeBatcher
// then runs again one by one. Not batched at all (create-payin.ts decides): a merchant with risk rules
// (its assessment may block and counts velocity under advisory locks: the single path runs it first in
// its own transaction).
import { sql, type Transaction } from "kysely";
import type { Database } from "../../db/connect.js";
import type { DB } from "../../db/schema.js";
import { type NewPayin, newPayinsStatement } from "../../db/trading/payins.js";
import { type BatchLockedRequisite, pickAndLockRequisites, type RequisiteMatch, type RequisiteUsage } from "../../db/trading/requisites.js";
import { writeBatcher } from "../batching/write-batcher.js";
import type { Deps } from "../deps.js";
import type { CommitAnswer } from "../idempotency/idempotency-keys.js";
import { transfersNotWritten } from "../ledger/ledger.js";
import { fitsRequisite, MAX_CANDIDATES, type SlotFilter, slotWindow, utcDayStart, utcMonthStart } from "./allocate.js";
import type { CreateTradingPayinResult } from "./create-payin.js";
import { holdPayinsCrypto, TRADER_DEPOSIT_ACCOUNT } from "./ledger-postings.js";

/** A create checked and priced, waiting for a slot. */
export interface BatchCreate {
  deps: Deps;
  merchantId: string;
  /** extra.externalTransactionId: a second member with the same one leaves the batch (see runBatch). */
  externalId: string | null;
  now: Date;
  slot: SlotFilter;
  /** The pay-in's writes on a slot, and the trader's crypto its hold takes. */
  write(requisite: BatchLockedRequisite, amountMinor: bigint): { cryptoMinor: bigint; payin: NewPayin };
  commit?: CommitAnswer<CreateTradingPayinResult>;
}

export type BatchOutcome = { kind: "created"; result: CreateTradingPayinResult } | { kind: "unplaced" };

interface Placed {
  /** The index into the batch's members. */
  member: number;
  requisite: BatchLockedRequisite;
  amountMinor: bigint;
  cryptoMinor: bigint;
  payin: NewPayin;
}

/** Picks one batch runs at most: the members of the smaller further kinds of ask take the single path. */
const MAX_PICKS = 4;

/** How broad an ask is: a named method or bank first, then allowed lists, then any (see byMatch). */
const breadth = (m: RequisiteMatch) => (m.method ? 0 : m.allowedMethods ? 1 : 2) + (m.bank ? 0 : m.allowedBanks ? 1 : 2);

/**
 * The members (indexes into `members`) grouped by what they ask of a requisite, each group one pick:
 * the MAX_PICKS largest groups (the rest are left unplaced), the narrowest asks first, since they can
 * use fewer requisites and so choose before a broader ask takes those.
 */
function byMatch(members: readonly BatchCreate[], indexes: readonly number[]): { match: RequisiteMatch; members: number[] }[] {
  const groups = new Map<string, { match: RequisiteMatch; members: number[] }>();
  for (const n of indexes) {
    const { fiatCurrency, method, bank, allowedMethods, allowedBanks, testTraders } = members[n]!.slot;
    const match = { fiatCurrency, method, bank, allowedMethods, allowedBanks, testTraders };
    // The allowed lists are sets: one order for the key.
    const key = JSON.stringify({ ...match, allowedMethods: allowedMethods && [...allowedMethods].sort(), allowedBanks: allowedBanks && [...allowedBanks].sort() });
    const group = groups.get(key) ?? { match, members: [] };
    group.members.push(n);
    groups.set(key, group);
  }
  // The largest groups keep their pick (most members stay batched), then the narrowest picks first.
  return [...groups.values()]
    .sort((a, b) => b.members.length - a.members.length)
    .slice(0, MAX_PICKS)
    .sort((a, b) => breadth(a.match) - breadth(b.match));
}

/**
 * Gives the `group`'s members (indexes into `members`, all asking the same of a requisite) slots among
 * the requisites their pick locked (in least-recently-used order), as one create after another would:
 * each takes the first requisite that fits, which then goes to the end of the order (its turn taken).
 * `usage` is each locked requisite's, and `free` each trader's free deposit, both less what the
 * members placed before take; `turns` the requisites the batch gave a turn, the latest last (an
 * earlier pick's members' too: a requisite another kind of ask just used comes after those it did not).
 */
function place(
  members: readonly BatchCreate[],
  group: readonly number[],
  locked: readonly BatchLockedRequisite[],
  state: { usage: Map<string, RequisiteUsage>; free: Map<string, bigint>; turns: string[] },
): Placed[] {
  const { usage, free, turns } = state;
  // A stable sort: the requisites with no turn yet (index -1) keep their least-recently-used order.
  const order = [...locked].sort((a, b) => turns.indexOf(a.id) - turns.indexOf(b.id));
  const placed: Placed[] = [];
  for (const member of group) {
    const m = members[member]!;
    for (const [k, requisite] of order.entries()) {
      const u = usage.get(requisite.id)!;
      const fit = fitsRequisite(requisite, m.slot, u);
      if (fit.kind === "skip") continue;
      const { cryptoMinor, payin } = m.write(requisite, fit.amountMinor);
      // The hold's no-negative check, against the locked balance less this batch's holds so far.
      const left = free.get(requisite.trader_id) ?? 0n;
      if (left < cryptoMinor) continue;
      free.set(requisite.trader_id, left - cryptoMinor);
      u.open += 1;
      u.taken.add(fit.amountMinor);
      u.dayVolume += fit.amountMinor;
      u.monthVolume += fit.amountMinor;
      order.splice(k, 1);
      order.push(requisite);
      const had = turns.indexOf(requisite.id);
      if (had >= 0) turns.splice(had, 1);
      turns.push(requisite.id);
      placed.push({ member, requisite, amountMinor: fit.amountMinor, cryptoMinor, payin });
      break;
    }
  }
  return placed;
}

/**
 * One batch in the caller's transaction; answers in the members' order (exported for its tests). With
 * `commit` (PostgreSQL only, and no member storing an idempotent answer, which would follow the holds)
 * its last round trip also commits the transaction (ledger.ts postTransfersLast).
 */
export async function runBatch(trx: Transaction<DB>, members: readonly BatchCreate[], commit = false): Promise<BatchOutcome[]> {
  const deps = members[0]!.deps;
  const outs: BatchOutcome[] = members.map(() => ({ kind: "unplaced" }));
  // The volumes are read for one UTC day and month: a member of another (a batch across midnight)
  // takes the single path. So does a repeat of an earlier member's externalTransactionId: it would fail
  // the whole batch on the unique index; after the commit the single path answers it as a replay.
  const dayStart = utcDayStart(members[0]!.now);
  const monthStart = utcMonthStart(members[0]!.now);
  const externalIds = new Set<string>();
  const inBatch = members.flatMap((m, n) => {
    if (utcDayStart(m.now).getTime() !== dayStart.getTime()) return [];
    if (m.externalId !== null) {
      const key = `${m.merchantId}\u0000${m.externalId}`;
      if (externalIds.has(key)) return [];
      externalIds.add(key);
    }
    return [n];
  });
  const picks: { group: number[]; locked: BatchLockedRequisite[] }[] = [];
  const lockedSoFar = new Set<string>();
  for (const { match, members: group } of byMatch(members, inBatch)) {
    const slots = group.map((n) => members[n]!.slot);
    const locked = await pickAndLockRequisites(trx, {
      match,
      deposit: { ...TRADER_DEPOSIT_ACCOUNT, atLeastMinor: slots.reduce((min, s) => (s.minCryptoMinor < min ? s.minCryptoMinor : min), slots[0]!.minCryptoMinor) },
      // Room for the batches of other processes (and this one's next) locking past this one's.
      limit: MAX_CANDIDATES + 4 * group.length,
      lockLimit: group.length,
      held: [...lockedSoFar],
      ranges: slots.map(slotWindow),
      dayStart,
      monthStart,
    });
    for (const r of locked) lockedSoFar.add(r.id);
    picks.push({ group, locked });
  }
  const locked = picks.flatMap((p) => p.locked);
  if (locked.length === 0) return outs;

  // Each trader's free deposit as the picks read it; of two reads (two picks) the smaller.
  const free = new Map<string, bigint>();
  for (const r of locked) {
    const had = free.get(r.trader_id);
    if (had === undefined || r.depositFree < had) free.set(r.trader_id, r.depositFree);
  }
  // One usage per requisite: a requisite that two kinds of ask match (any bank, and its bank) is locked
  // by both picks, and the members of both must see each other's slots, open count and volume. Each
  // pick read the taken amounts inside its own members' ranges only, so those are merged; of the open
  // count and volumes the larger read stands (writers that need no requisite lock, such as expiry, only
  // lower the open count; a dispute's new amount can raise a volume), so the batch errs to caution.
  const usage = new Map<string, RequisiteUsage>();
  const larger = <T extends number | bigint>(a: T, b: T): T => (a > b ? a : b);
  for (const r of locked) {
    const u = usage.get(r.id);
    if (!u) {
      usage.set(r.id, { ...r.usage, taken: new Set(r.usage.taken) });
      continue;
    }
    for (const amount of r.usage.taken) u.taken.add(amount);
    u.open = larger(u.open, r.usage.open);
    u.dayVolume = larger(u.dayVolume, r.usage.dayVolume);
    u.monthVolume = larger(u.monthVolume, r.usage.monthVolume);
  }
  const state = { usage, free, turns: [] as string[] };
  const placed = picks.flatMap((p) => place(members, p.group, p.locked, state));
  if (placed.length === 0) return outs;

  // The pay-ins' insert and the holds go in one round trip (ledger.ts postTransfersLast's `before`);
  // the holds come last, as in the single path: the Node check above fitted them to the deposits as the
  // picks read them; their statement checks them under the rows' locks. With `commit` the transaction
  // has ended when they return: what follows only reads their answers and counts after the commit.
  const insert = newPayinsStatement(trx, placed.map((p) => p.payin));
  const [inserted] = await holdPayinsCrypto(
    deps,
    trx,
    placed.map((p) => ({ payinId: p.payin.row.id, traderId: p.requisite.trader_id, merchantId: members[p.member]!.merchantId, cryptoMinor: p.cryptoMinor })),
    { before: [insert.query], commit },
  );
  const payins = insert.read(inserted!);
  for (const [k, p] of placed.entries()) {
    const m = members[p.member]!;
    const { usage: _usage, depositFree: _free, ...requisite } = p.requisite;
    const result: CreateTradingPayinResult = { payin: payins[k]!, requisite, created: true };
    // The idempotent answer, stored in this transaction as the single path stores it (one statement
    // for each member sent with an Idempotency-Key).
    await m.commit?.(trx, result);
    if (!m.slot.testTraders) m.deps.metrics.paymentCreated(trx, "trading");
    outs[p.member] = { kind: "created", result };
  }
  return outs;
}

/** The batch's transaction; holds its statement could not write roll it back and send every member to the single path. */
async function writeBatch(database: Database, members: BatchCreate[]): Promise<BatchOutcome[]> {
  // An idempotent answer is stored after the holds (it holds the inserted row): no early COMMIT then.
  const commit = database.engine === "postgres" && members.every((m) => !m.commit);
  try {
    return await database.db.transaction().execute(async (trx) => {
      // Generic plans, made once per connection: PostgreSQL otherwise planned the pick and the holds
      // (prepared, hot-statements.ts) afresh at every batch, their generic estimate losing to the
      // custom one, and the insert (a new text per batch size) too. With pg_stat_statements at 16
      // creates a batch: planning took 4.4 ms of PostgreSQL's CPU (pick 1.8, insert 1.9, holds 0.8),
      // and the generic plans ran faster than the custom ones (pick 1.3 ms against 1.6, holds 0.8
      // against 1.8). This SET goes with BEGIN and the pick, in their write (client-query.ts).
      await sql`SET LOCAL plan_cache_mode = force_generic_plan`.execute(trx);
      return runBatch(trx, members, commit);
    });
  } catch (err) {
    if (transfersNotWritten(err)) return members.map(() => ({ kind: "unplaced" }));
    throw err;
  }
}

// One batch in flight: a second one mostly waited for the first's balance rows (its holds' statement
// locks the same traders' rows), so two served the same creates per second at twice the statement time
// (lock waits) and a higher p99 (bench/trading-create.ts, interleaved runs: docs/benchmarks.md).
const writeCreates = writeBatcher<BatchCreate, BatchOutcome>(writeBatch, {
  maxBatch: 32,
  maxInFlight: 1,
});

/** The create, in a batch with the concurrent ones of this process; "unplaced": take the single path. */
export function createInBatch(deps: Deps, member: BatchCreate): Promise<BatchOutcome> {
  return writeCreates(deps.database, member);
}
