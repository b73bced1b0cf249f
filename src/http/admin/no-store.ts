// An answer that carries a secret (an API key, a signing secret) is shown once: no cache on the way
// may keep it.
import type { FastifyReply } from "fastify";

export const noStore = (reply: FastifyReply): FastifyReply => reply.header("cache-control", "no-store");
