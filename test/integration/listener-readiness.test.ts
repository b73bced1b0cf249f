// The NOTIFY session (src/db/change-listener.ts) keeps the caches and the cabinet's live updates
// current. Its loss must show where an operator looks: rampart_notify_listener_connected drops to 0 and
// /readyz turns not ready naming the listener, and both recover once it listens again. The test kills
// the session's backend, waits for the loss and the return as events (a channel follower's reset and
// ready), and decides itself when the reconnection runs, so nothing races the product's one-second retry.
import assert from "node:assert/strict";
import { test } from "node:test";
import { sql } from "kysely";
import { LISTENER_APPLICATION_NAME, postgresListener } from "../../src/db/change-listener.js";
import { createHarness, type Harness } from "../support/harness.js";
import { sample, scrape } from "../support/metrics.js";
import { followChannel } from "../support/notifications.js";
import { usePostgres } from "../support/test-db.js";

async function assertListenerShows(h: Harness, up: boolean): Promise<void> {
  assert.equal(sample(await scrape(h.app), "rampart_notify_listener_connected"), up ? 1 : 0);
  const ready = await h.app.inject({ method: "GET", url: "/readyz" });
  assert.equal(ready.statusCode, up ? 200 : 503, ready.body);
  const body = ready.json();
  assert.deepEqual(
    { status: body.status, database: body.database, listener: body.listener },
    { status: up ? "ready" : "not_ready", database: "ok", listener: up ? "listening" : "lost" },
  );
}

test("a lost NOTIFY session turns the gauge to 0 and /readyz not ready; both recover when it listens again", { skip: usePostgres() ? false : "PGlite's session cannot be lost" }, async () => {
  let reconnect: (() => void) | null = null;
  const h = await createHarness({ listenerReconnect: (r) => (reconnect = r) });
  const follower = await followChannel(h.deps.database, "intent_changed");
  try {
    await assertListenerShows(h, true);

    const lost = follower.lost();
    const killed = await sql<{ n: string }>`
      SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM pg_stat_activity
      WHERE datname = current_database() AND application_name = ${LISTENER_APPLICATION_NAME}`.execute(h.deps.database.db);
    assert.equal(killed.rows[0]!.n, "1", "the process has one NOTIFY session, named in pg_stat_activity");
    await lost;
    await assertListenerShows(h, false);

    assert.ok(reconnect, "a reconnection was scheduled");
    const listening = follower.listening();
    (reconnect as () => void)();
    await listening;
    await assertListenerShows(h, true);
  } finally {
    await follower.stop();
    await h.close();
  }
});

// A process just started is not "lost": its caches read the database until the session listens, as
// they do after a loss, but nothing failed, and /readyz (not ready only when lost) lets it serve.
test("a NOTIFY session being opened for the first time is connecting, then listening; after its last subscriber stops, idle", { skip: usePostgres() ? false : "PGlite has no NOTIFY session" }, async () => {
  const h = await createHarness();
  try {
    const listener = postgresListener(h.testDb.url!);
    assert.equal(listener.state(), "idle");
    let ready!: () => void;
    const listening = new Promise<void>((resolve) => (ready = resolve));
    const stop = listener.listen("intent_changed", { ready: () => ready(), changed: () => {}, reset: () => {} });
    assert.equal(listener.state(), "connecting", "subscribed, its session not yet open");
    await listening;
    assert.equal(listener.state(), "listening");
    await stop();
    assert.equal(listener.state(), "idle");
  } finally {
    await h.close();
  }
});
