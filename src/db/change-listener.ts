// LISTEN on a channel that triggers NOTIFY at commit (see migrations/0009_intent_change_notify.sql), so a
// process can cache rows and drop an entry as soon as any process, or an operator's SQL, changes it.
// A notification can only be trusted while the listening session is alive: `ready` says so, and
// `reset` tells the cache to forget everything whenever it is lost (changes made meanwhile are unseen).
import pg from "pg";

export interface ChangeHandlers {
  /** The session listens: from now on every committed change is announced. */
  ready(): void;
  /** A row changed (the payload is its id). */
  changed(payload: string): void;
  /** The session was lost: what was cached may have changed unannounced. */
  reset(): void;
}

export type StopListening = () => Promise<void>;

const CHANNEL = /^[a-z_]{1,63}$/;
const RECONNECT_MS = 1_000;

export function assertChannel(channel: string): void {
  if (!CHANNEL.test(channel)) throw new Error(`invalid notification channel ${JSON.stringify(channel)}`);
}

/** A dedicated connection outside the pool (a pooled session would stop listening when released). */
export function listenPostgres(url: string, channel: string, h: ChangeHandlers): StopListening {
  assertChannel(channel);
  let stopped = false;
  let client: pg.Client | null = null;
  let retry: NodeJS.Timeout | null = null;

  const lost = (c: pg.Client) => {
    if (client !== c && client !== null) return;
    client = null;
    h.reset();
    c.end().catch(() => {});
    if (!stopped && retry === null) retry = setTimeout(connect, RECONNECT_MS).unref();
  };

  function connect(): void {
    retry = null;
    const c = new pg.Client({ connectionString: url });
    client = c;
    c.on("notification", (m) => {
      if (m.channel === channel && m.payload) h.changed(m.payload);
    });
    c.on("error", () => lost(c));
    c.on("end", () => lost(c));
    c.connect()
      .then(() => c.query(`LISTEN ${channel}`))
      .then(() => {
        if (stopped) return c.end();
        if (client === c) h.ready();
      })
      .catch(() => lost(c));
  }

  connect();
  return async () => {
    stopped = true;
    if (retry) clearTimeout(retry);
    const c = client;
    client = null;
    await c?.end().catch(() => {});
  };
}
