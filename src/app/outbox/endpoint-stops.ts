// Which webhook endpoints the delivery pool must no longer send to (deleted, switched off by their
// merchant, stopped by a 410), known from the webhook_endpoint_changed notifications (0074_c) instead of a
// query per message: the pool holds claimed messages queued for up to their lease, and the endpoint may
// stop meanwhile. A claim checks the endpoint itself, so a message needs no check of its own when every
// change committed since its claim began has been heard: the session listened then and was never lost
// since (the claim's `token`). Otherwise (a claim made while the session was down, or before a loss)
// its endpoint is asked once, right before the request.
import type { Database } from "../../db/connect.js";

export const ENDPOINT_CHANNEL = "webhook_endpoint_changed";

/** send: no check needed; stopped: never send; ask: read the endpoint first. */
type SendVerdict = "send" | "stopped" | "ask";

interface EndpointStops {
  /** Taken when a claim starts; null while the session is down (its messages will be asked about). */
  token(): number | null;
  verdict(endpointId: string, token: number | null): SendVerdict;
  /** Forgets stopped endpoints `held` says no message is held for (no claim may be in flight). */
  prune(held: (endpointId: string) => boolean): void;
}

/** `onStopped` is called for each endpoint announced stopped, as the notification arrives. */
export function watchEndpointStops(database: Database, onStopped: (endpointId: string) => void): EndpointStops {
  const stopped = new Set<string>();
  // Bumped by every loss of the session: tokens taken before it no longer vouch for anything.
  let epoch = 0;
  let live = false;
  // The listener lives until the database closes; a closed database refuses and the pool then asks.
  void database
    .listen(ENDPOINT_CHANNEL, {
      ready: () => {
        live = true;
      },
      changed: (payload) => {
        const [id, state] = payload.split(" ");
        if (!id) return;
        if (state === "live") stopped.delete(id);
        else {
          stopped.add(id);
          onStopped(id);
        }
      },
      reset: () => {
        live = false;
        epoch++;
        // Unheard changes may have restarted these: their messages are asked about instead.
        stopped.clear();
      },
    })
    .catch(() => {});
  return {
    token: () => (live ? epoch : null),
    verdict(endpointId, token) {
      if (stopped.has(endpointId)) return "stopped";
      return live && token === epoch ? "send" : "ask";
    },
    prune(held) {
      for (const id of stopped) if (!held(id)) stopped.delete(id);
    },
  };
}
