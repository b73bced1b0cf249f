// The card dialect without a card acquirer (RAMPART_CARD_ACQUIRER=none): its routes stay registered
// (clients get an answer, not a 404) but every one answers 403 service_not_enabled in the dialect's own
// envelope (the OAuth2 shape on /oauth/token), and the OpenAPI document says so on each operation.
import type { FastifyInstance } from "fastify";
import { AppError } from "../../../core/shared/errors.js";

const NOTE =
  "**Switched off on this server**: no card acquirer is configured (RAMPART_CARD_ACQUIRER=none), so this route answers 403 " +
  "`service_not_enabled` in the card dialect's error envelope.";

/** Call before the dialect's routes are registered: hooks reach only the routes added after them. */
export function switchOffCardDialect(app: FastifyInstance): void {
  app.addHook("onRoute", (route) => {
    const schema = route.schema ?? {};
    route.schema = { ...schema, description: schema.description ? `${NOTE}\n\n${schema.description}` : NOTE };
  });
  app.addHook("onRequest", async () => {
    throw new AppError("service_not_enabled", { message: "Card payments are not enabled on this server." });
  });
}
