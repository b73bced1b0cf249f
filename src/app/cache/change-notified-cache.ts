// A per-process cache of database rows whose changes the database announces (LISTEN/NOTIFY, see
// src/db/change-listener.ts). Hot reads (payment status polling, bearer sessions) are served from
// memory, and stay correct across processes: entries are dropped when a change commits anywhere.
// A notification names a group (an intent id, a customer id); it drops every entry of that group.
//
// The rules that keep it from serving a stale row:
// - nothing is cached unless the listening session is up (`live`), and losing it clears everything;
// - a load that overlapped any invalidation is not stored (it may have read the row before the
//   change committed, and the notification already went past);
// - a row this process is changing (`changing`) is read from the database until the change's own
//   notification arrives, so a caller reads its own committed write at once (another process sees
//   it within a notification's latency, typically well under a millisecond);
// - every entry also expires after `ttlMs`, a bound should a change ever bypass the trigger.
import type { MaybeAsync } from "../../core/shared/maybe-async.js";
import type { Database } from "../../db/connect.js";

interface ChangeNotifiedCacheOptions {
  channel: string;
  maxEntries: number;
  ttlMs: number;
}

/** A change this process starts is normally announced within milliseconds; a rollback never is. */
const CHANGING_MAX_MS = 10_000;

class ChangeNotifiedCache<V> {
  private readonly entries = new Map<string, { value: V; until: number; group: string }>();
  private readonly groups = new Map<string, Set<string>>();
  private readonly changing = new Map<string, number>();
  /** Bumped by every invalidation: a load stores its result only if this did not move meanwhile. */
  private generation = 0;
  private live = false;

  /** Starts listening at once; until the session listens, every read goes to the database. */
  constructor(
    database: Database,
    private readonly opts: ChangeNotifiedCacheOptions,
  ) {
    // The listener lives until the database closes (Database.close stops it, and reset clears us).
    void database
      .listen(opts.channel, {
        ready: () => {
          this.generation++;
          this.live = true;
        },
        changed: (group) => {
          this.changing.delete(group);
          this.invalidate(group);
        },
        reset: () => {
          this.live = false;
          this.generation++;
          this.entries.clear();
          this.groups.clear();
        },
      })
      .catch(() => {}); // only a closed database refuses: the cache then simply stays off
  }

  /** The cached value while it is fresh; undefined when it must be read (`readThrough`). */
  fresh(key: string): V | undefined {
    const hit = this.entries.get(key);
    return hit && hit.until > performance.now() ? hit.value : undefined;
  }

  /** `load()`'s value, cached when it is found and nothing changed meanwhile. */
  async readThrough(key: string, load: () => Promise<V | undefined>, group: string = key): Promise<V | undefined> {
    const now = performance.now();
    const changingUntil = this.changing.get(group);
    if (changingUntil !== undefined) {
      if (changingUntil > now) return load();
      this.changing.delete(group);
    }
    const generation = this.generation;
    const value = await load();
    if (value !== undefined && this.live && generation === this.generation) this.store(key, group, value, now + this.opts.ttlMs);
    return value;
  }

  /** Called inside the transaction that changes the group's rows, before it commits. */
  changingNow(group: string): void {
    if (this.changing.size >= this.opts.maxEntries) this.changing.clear();
    this.changing.set(group, performance.now() + CHANGING_MAX_MS);
    this.invalidate(group);
  }

  private store(key: string, group: string, value: V, until: number): void {
    if (!this.entries.has(key) && this.entries.size >= this.opts.maxEntries) this.drop(this.entries.keys().next().value!);
    this.entries.set(key, { value, until, group });
    let keys = this.groups.get(group);
    if (!keys) this.groups.set(group, (keys = new Set()));
    keys.add(key);
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    const keys = this.groups.get(entry.group);
    keys?.delete(key);
    if (keys?.size === 0) this.groups.delete(entry.group);
  }

  private invalidate(group: string): void {
    this.generation++;
    for (const key of this.groups.get(group) ?? []) this.entries.delete(key);
    this.groups.delete(group);
  }
}

/**
 * One cache per database for one purpose. The API routes that read through it start it when they are
 * registered, so it listens before the first request; worker processes never start one (their changes
 * only mark it when it exists; a worker's listening session serves its webhook pool, endpoint-stops.ts).
 */
export function perDatabaseCache<V>(opts: ChangeNotifiedCacheOptions) {
  const caches = new WeakMap<Database, ChangeNotifiedCache<V>>();
  return {
    start(database: Database): void {
      if (!caches.has(database)) caches.set(database, new ChangeNotifiedCache<V>(database, opts));
    },
    /**
     * Through the cache when this process started it, straight to the database otherwise. A fresh
     * entry is returned at once, not in a promise (core/shared/maybe-async.ts).
     */
    read(database: Database, key: string, load: () => Promise<V | undefined>, group?: string): MaybeAsync<V | undefined> {
      const cache = caches.get(database);
      if (!cache) return load();
      const hit = cache.fresh(key);
      return hit !== undefined ? hit : cache.readThrough(key, load, group);
    },
    changingNow(database: Database, group: string): void {
      caches.get(database)?.changingNow(group);
    },
  };
}
