// A per-process cache of database rows whose changes the database announces (LISTEN/NOTIFY, see
// src/db/change-listener.ts). Hot polling reads (payment status) are served from memory, and stay
// correct across processes: an entry is dropped when a change to its row commits anywhere.
//
// The rules that keep it from serving a stale row:
// - nothing is cached unless the listening session is up (`live`), and losing it clears everything;
// - a load that overlapped any invalidation is not stored (it may have read the row before the
//   change committed, and the notification already went past);
// - a row this process is changing (`changing`) is read from the database until the change's own
//   notification arrives, so a caller reads its own committed write at once (another process sees
//   it within a notification's latency, typically well under a millisecond);
// - every entry also expires after `ttlMs`, a bound should a change ever bypass the trigger.
import type { Database } from "../../db/connect.js";

export interface ChangeNotifiedCacheOptions {
  channel: string;
  maxEntries: number;
  ttlMs: number;
}

/** A change this process starts is normally announced within milliseconds; a rollback never is. */
const CHANGING_MAX_MS = 10_000;

export class ChangeNotifiedCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();
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
        changed: (key) => {
          this.changing.delete(key);
          this.invalidate(key);
        },
        reset: () => {
          this.live = false;
          this.generation++;
          this.entries.clear();
        },
      })
      .catch(() => {}); // only a closed database refuses: the cache then simply stays off
  }

  /** The cached value, or `load()`'s (cached when it is found and nothing changed meanwhile). */
  async read(key: string, load: () => Promise<V | undefined>): Promise<V | undefined> {
    const now = performance.now();
    const hit = this.entries.get(key);
    if (hit && hit.until > now) return hit.value;
    const changingUntil = this.changing.get(key);
    if (changingUntil !== undefined) {
      if (changingUntil > now) return load();
      this.changing.delete(key);
    }
    const generation = this.generation;
    const value = await load();
    if (value !== undefined && this.live && generation === this.generation) {
      if (!hit && this.entries.size >= this.opts.maxEntries) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, { value, until: now + this.opts.ttlMs });
    }
    return value;
  }

  /** Called inside the transaction that changes the row, before it commits. */
  changingNow(key: string): void {
    if (this.changing.size >= this.opts.maxEntries) this.changing.clear();
    this.changing.set(key, performance.now() + CHANGING_MAX_MS);
    this.invalidate(key);
  }

  private invalidate(key: string): void {
    this.generation++;
    this.entries.delete(key);
  }
}
