// Follows a change channel the way the API's caches do (LISTEN/NOTIFY through Database.listen), so a
// test waits for the notification itself instead of sleeping. Subscribed after the app started its
// caches, this follower hears each notification after them: once `announced(payload)` resolves, every
// cache on that channel has already dropped the entry, and once `follow` returns, they listen.
import type { Database } from "../../src/db/connect.js";

export interface ChannelFollower {
  /** Resolves when `payload` is next announced. Call it before making the change. */
  announced(payload: string): Promise<void>;
  stop(): Promise<void>;
}

export async function followChannel(database: Database, channel: string): Promise<ChannelFollower> {
  const waiting = new Map<string, (() => void)[]>();
  let listening!: () => void;
  const ready = new Promise<void>((r) => (listening = r));
  const stop = await database.listen(channel, {
    ready: () => listening(),
    changed: (payload) => {
      const waiters = waiting.get(payload) ?? [];
      waiting.delete(payload);
      for (const w of waiters) w();
    },
    reset: () => {},
  });
  await ready;
  return {
    announced: (payload) => new Promise<void>((resolve) => waiting.set(payload, [...(waiting.get(payload) ?? []), resolve])),
    stop,
  };
}
