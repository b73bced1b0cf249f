// Headers for every response, and the docs page's CSP. Pages set their own CSP and framing rule
// (src/http/pages/send-page.ts).
import type { FastifyInstance } from "fastify";

/** No response is ever sniffed into another type (an uploaded receipt served as HTML, say). */
export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook("onSend", async (_request, reply, payload) => {
    void reply.header("x-content-type-options", "nosniff");
    return payload;
  });
}

/**
 * The CSP @fastify/swagger-ui builds for /docs (hashes of its own inline scripts), made fit for a
 * self-hosted offline page: not framable, no upgrade to https (a sandbox on http://localhost would
 * break), nothing from other origins.
 */
export function docsCsp(header: string): string {
  return header
    .replace("frame-ancestors 'self'", "frame-ancestors 'none'")
    .replace(/\s*upgrade-insecure-requests;?/, "")
    .replace(/ https:/g, "")
    .replace(" validator.swagger.io", "");
}
