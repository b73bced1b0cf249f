// GET /cabinet/events: a server-sent event stream that says "changed" whenever one of the signed-in
// trader's pay-ins is inserted or updated, in any process (migration 0028_a: a trigger NOTIFYs
// trading_payin_changed with the trader's id at commit; one LISTEN connection per process serves
// every stream). The page then fetches its lists again. Bounded: at most MAX_STREAMS per process and
// MAX_STREAMS_PER_TRADER per trader (one trader's tabs, or a script, cannot take every stream of the
// process from the other traders: found by fuzzing); a comment every KEEPALIVE_MS keeps proxies from
// closing an idle stream.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Deps } from "../../../app/deps.js";
import { AppError } from "../../../core/shared/errors.js";

const CHANNEL = "trading_payin_changed";
const MAX_STREAMS = 500;
/** A few devices with a few tabs each. */
const MAX_STREAMS_PER_TRADER = 10;
const KEEPALIVE_MS = 25_000;
let streams = 0;
const streamsOf = new Map<string, number>();

type StreamHandler = (request: FastifyRequest, reply: FastifyReply, traderId: string) => Promise<void>;

/**
 * The stream handler of one app. Its open streams end when the app closes (Fastify's preClose): a
 * stream is a request that never finishes, so without this every shutdown with a cabinet open waited
 * out the whole drain timeout (30 s) and exited forced. The browser reconnects (retry:) to a process
 * that runs.
 */
export function cabinetLiveStreams(app: FastifyInstance, deps: Deps): StreamHandler {
  const open = new Set<() => void>();
  app.addHook("preClose", (done) => {
    for (const end of open) end();
    done();
  });
  return (request, reply, traderId) => streamTraderChanges(deps, request, reply, traderId, open);
}

async function streamTraderChanges(deps: Deps, request: FastifyRequest, reply: FastifyReply, traderId: string, open: Set<() => void>): Promise<void> {
  // A client that left while its session was checked has had its close event already: counted, its
  // stream would hold a slot for good (found by fuzzing: twelve such aborts locked a trader out). From
  // here to the close listener below nothing waits, so no close can slip in between.
  if (request.raw.socket?.destroyed) {
    reply.hijack();
    return;
  }
  if (streams >= MAX_STREAMS) throw new AppError("service_unavailable", { message: "Too many live cabinet streams; the page still works with reloads" });
  const own = streamsOf.get(traderId) ?? 0;
  if (own >= MAX_STREAMS_PER_TRADER) throw new AppError("rate_limited", { message: "Too many live streams of this cabinet are open: close other tabs; the page still works with reloads" });
  streams++;
  streamsOf.set(traderId, own + 1);
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "x-accel-buffering": "no",
  });
  // Tell the browser to come back soon after a dropped connection (it refreshes on reconnecting).
  res.write("retry: 3000\n\n");
  const send = () => res.write("data: changed\n\n");
  const keepalive = setInterval(() => res.write(": keepalive\n\n"), KEEPALIVE_MS);
  let stop: (() => Promise<void>) | null = null;
  let closed = false;
  const end = () => {
    close();
    res.end();
  };
  const close = () => {
    if (closed) return;
    closed = true;
    open.delete(end);
    streams--;
    const left = streamsOf.get(traderId)! - 1;
    if (left === 0) streamsOf.delete(traderId);
    else streamsOf.set(traderId, left);
    clearInterval(keepalive);
    void stop?.().catch(() => {});
  };
  request.raw.on("close", close);
  open.add(end);
  try {
    stop = await deps.database.listen(CHANNEL, {
      ready: () => {},
      changed: (payload) => {
        if (payload === traderId) send();
      },
      // Notifications may have been missed while the session was down: let the page look again.
      reset: send,
    });
    if (closed) void stop().catch(() => {});
  } catch (err) {
    end();
    request.log.warn({ err }, "cabinet live stream could not listen");
  }
}
