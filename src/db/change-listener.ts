// LISTEN on channels that triggers NOTIFY at commit (migrations 0009 and 0011), so a process can cache
// rows and drop an entry as soon as any process, or an operator's SQL, changes it. A notification can
// only be trusted while the listening session is alive: `ready` says so, and `reset` tells a cache to
// forget everything whenever it is lost (changes made meanwhile are unseen).
import pg from "pg";

export interface ChangeHandlers {
  /** The session listens: from now on every committed change is announced. */
  ready(): void;
  /** A row changed (the payload names it). */
  changed(payload: string): void;
  /** The session was lost: what was cached may have changed unannounced. */
  reset(): void;
}

export type StopListening = () => Promise<void>;

/**
 * listening: the session is up; connecting: channels are wanted and the first session is not yet
 * listening (caches read the database meanwhile, as when lost); lost: a session was lost or failed to
 * open and none listens again yet; idle: nothing listens.
 */
export type ListenerState = "listening" | "connecting" | "lost" | "idle";

const CHANNEL = /^[a-z_]{1,63}$/;
const RECONNECT_MS = 1_000;
/** How the session shows in pg_stat_activity, so an operator (or a test) can find it. */
export const LISTENER_APPLICATION_NAME = "rampart notify listener";

/** Calls `reconnect` when the session, lost, should be opened again. */
export type ScheduleReconnect = (reconnect: () => void) => void;
const afterASecond: ScheduleReconnect = (reconnect) => void setTimeout(reconnect, RECONNECT_MS).unref();

export function assertChannel(channel: string): void {
  if (!CHANNEL.test(channel)) throw new Error(`invalid notification channel ${JSON.stringify(channel)}`);
}

/**
 * One dedicated connection per process, outside the pool (a pooled session would stop listening when
 * released), shared by every channel. It reconnects after a loss (a second later, unless `schedule`
 * says when: a test decides the moment) and listens again to all of them.
 */
export function postgresListener(
  url: string,
  schedule: ScheduleReconnect = afterASecond,
): { listen(channel: string, h: ChangeHandlers): StopListening; state(): ListenerState } {
  const subscribers = new Map<string, Set<ChangeHandlers>>();
  let client: pg.Client | null = null;
  let listening = false;
  /** A session was lost or failed to open: until one listens again the state is "lost", not "connecting". */
  let failed = false;
  /** A reconnection is scheduled; cleared when the last subscriber stops, so a late one does nothing. */
  let retry = false;

  const each = (fn: (h: ChangeHandlers) => void) => subscribers.forEach((set) => set.forEach(fn));

  const lost = (c: pg.Client) => {
    if (client !== c) return;
    client = null;
    listening = false;
    failed = true;
    each((h) => h.reset());
    c.end().catch(() => {});
    if (subscribers.size > 0 && !retry) {
      retry = true;
      schedule(() => {
        if (!retry) return;
        retry = false;
        connect();
      });
    }
  };

  function connect(): void {
    const c = new pg.Client({ connectionString: url, application_name: LISTENER_APPLICATION_NAME });
    client = c;
    c.on("notification", (m) => {
      if (m.payload) subscribers.get(m.channel)?.forEach((h) => h.changed(m.payload!));
    });
    c.on("error", () => lost(c));
    c.on("end", () => lost(c));
    c.connect()
      .then(async () => {
        // Channels subscribed while this runs are picked up by the next round.
        const done = new Set<string>();
        for (let todo = [...subscribers.keys()]; todo.length > 0; todo = [...subscribers.keys()].filter((ch) => !done.has(ch))) {
          for (const channel of todo) {
            await c.query(`LISTEN ${channel}`);
            done.add(channel);
          }
        }
        if (client !== c) return;
        listening = true;
        failed = false;
        each((h) => h.ready());
      })
      .catch(() => lost(c));
  }

  return {
    state: () => (listening ? "listening" : subscribers.size === 0 ? "idle" : failed ? "lost" : "connecting"),
    listen(channel, h) {
      assertChannel(channel);
      let set = subscribers.get(channel);
      if (!set) {
        subscribers.set(channel, (set = new Set()));
        // A new channel on a live session is listened to there; a session being set up listens to
        // every channel once it is connected.
        const c = client;
        if (c && listening) c.query(`LISTEN ${channel}`).then(() => client === c && h.ready(), () => lost(c));
      } else if (listening) h.ready();
      set.add(h);
      if (!client && !retry) connect();
      return async () => {
        set.delete(h);
        if (set.size === 0) subscribers.delete(channel);
        if (subscribers.size > 0) return;
        retry = false;
        failed = false;
        const c = client;
        client = null;
        listening = false;
        await c?.end().catch(() => {});
      };
    },
  };
}
