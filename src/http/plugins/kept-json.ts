// A route's JSON body kept per view object (views that src/app/cache/kept-views.ts keeps for cache
// entries), serialized once by the route's own response schema: the same bytes Fastify would write,
// without serializing them again on every status poll (issue 16). One per route, since the bytes
// depend on the route's schema.
import type { FastifyReply } from "fastify";
import { type MaybeAsync, thenMaybe } from "../../core/shared/maybe-async.js";

/**
 * Sends a view at once when it is there (a cache hit, core/shared/maybe-async.ts), or once it
 * resolves. A route handler returns what this returns: nothing once the view is sent, since Fastify
 * would send a handler's result again.
 */
export function keptJson() {
  const bodies = new WeakMap<object, Buffer>();
  const send = (reply: FastifyReply, view: object): void => {
    let body = bodies.get(view);
    if (body === undefined) {
      // A route's compiled response serializer returns a string (fast-json-stringify).
      body = Buffer.from(reply.serialize(view) as string, "utf8");
      bodies.set(view, body);
    }
    void reply.type("application/json; charset=utf-8").send(body);
  };
  return (reply: FastifyReply, view: MaybeAsync<object>): MaybeAsync<void> => thenMaybe(view, (v) => send(reply, v));
}
