// Follows a change channel the way the API's caches do (LISTEN/NOTIFY through Database.listen), so a
// test waits for the notification itself instead of sleeping. Subscribed after the app started its
// caches, this follower hears everything after them: once `announced` resolves, every cache on the
// channel has dropped the entry; once `lost` or `listening` resolves, they were reset or listen again.
import type { Database } from "../../src/db/connect.js";

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
