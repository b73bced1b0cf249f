// Follows a change channel the way the API's caches do (LISTEN/NOTIFY through Database.listen), so a
// test waits for the notification itself instead of sleeping. Subscribed after the app started its
// caches, this follower hears everything after them: once `announced` resolves, every cache on the
// channel has dropped the entry; once `lost` or `listening` resolves, they were reset or listen again.
// `untilAnnounced` waits for a condition on the database by re-checking it on each notification, and
// `announceStatusChanges` gives a table the product announces nothing about a channel in the test's own
// database, so a test that waits on such a table also waits for the commit itself, never a timer.
import { type Kysely, sql } from "kysely";
import type { Database } from "../../src/db/connect.js";
import type { DB } from "../../src/db/schema.js";

export interface ChannelFollower {
  /** How many times `payload` was announced since the follower started. */
  count(payload: string): number;
  /** Resolves once `payload` was announced `times` times in all (by default: once more than now). */
  announced(payload: string, times?: number): Promise<void>;
  /** Resolves when the listening session is next lost. */
  lost(): Promise<void>;
  /** Resolves when the session next listens again. */
  listening(): Promise<void>;
  stop(): Promise<void>;
}

export async function followChannel(database: Database, channel: string): Promise<ChannelFollower> {
  const counts = new Map<string, number>();
  const waiters = new Set<() => void>();
  const onReset = new Set<() => void>();
  const onReady = new Set<() => void>();
  const fire = (set: Set<() => void>) => {
    const all = [...set];
    set.clear();
    for (const f of all) f();
  };
  const stop = await new Promise<() => Promise<void>>((resolveStop, reject) => {
    let stopper: (() => Promise<void>) | undefined;
    let ready = false;
    database
      .listen(channel, {
        ready: () => {
          fire(onReady);
          if (!ready && stopper) resolveStop(stopper);
          ready = true;
        },
        changed: (payload) => {
          counts.set(payload, (counts.get(payload) ?? 0) + 1);
          for (const w of [...waiters]) w();
        },
        reset: () => fire(onReset),
      })
      .then((s) => {
        stopper = s;
        if (ready) resolveStop(s);
      }, reject);
  });
  const count = (payload: string) => counts.get(payload) ?? 0;
  return {
    count,
    announced: (payload, times = count(payload) + 1) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (count(payload) < times) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      }),
    lost: () => new Promise<void>((r) => onReset.add(r)),
    listening: () => new Promise<void>((r) => onReady.add(r)),
    stop,
  };
}

/**
 * Resolves once `cond` holds, re-checking it each time `payload` is announced. The wait is taken before
 * each check, so a commit that lands while the check runs still wakes the next one. No deadline of its
 * own: the test's timeout catches a condition that never comes.
 */
export async function untilAnnounced(follower: ChannelFollower, payload: string, cond: () => Promise<boolean>): Promise<void> {
  for (;;) {
    const next = follower.announced(payload);
    if (await cond()) return;
    await next;
  }
}

/**
 * In this test's own database only: every commit that changes the `status` of a row of one of `tables`
 * announces the table's name on `channel`. The worker tables (jobs, webhook_messages) announce nothing in
 * the product (a NOTIFY per job would serialise the hot path's commits), so a test that waits for them
 * to finish installs this, follows `channel` and waits with `untilAnnounced`.
 */
export async function announceStatusChanges(db: Kysely<DB>, channel: string, tables: (keyof DB & string)[]): Promise<void> {
  await sql`CREATE FUNCTION test_announce_status() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM pg_notify(TG_ARGV[0], TG_TABLE_NAME); RETURN NULL; END $$`.execute(db);
  for (const table of tables) {
    await sql`CREATE TRIGGER ${sql.id(`${table}_test_announce`)} AFTER UPDATE ON ${sql.table(table)}
      FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION test_announce_status(${sql.lit(channel)})`.execute(db);
  }
}
