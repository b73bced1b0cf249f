// A route's JSON body kept per view object (views that src/app/cache/kept-views.ts keeps for cache
// entries), serialized once by the route's own response schema: the same bytes Fastify would write,
// without serializing them again on every status poll (issue 16). One per route, since the bytes
// depend on the route's schema.
import type { FastifyReply } from "fastify";

export function keptJson() {
  const bodies = new WeakMap<object, Buffer>();
  return (reply: FastifyReply, view: object): FastifyReply => {
    let body = bodies.get(view);
    if (body === undefined) {
      // A route's compiled response serializer returns a string (fast-json-stringify).
      body = Buffer.from(reply.serialize(view) as string, "utf8");
      bodies.set(view, body);
    }
    return reply.type("application/json; charset=utf-8").send(body);
  };
}
