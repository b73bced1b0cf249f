// The customer's account beyond sign-in: password change and e-mail (bearer), and the e-mail
// confirmation link, opened from the mailbox without a token (docs/contract-card.md#account-e-mail-and-password).
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { addEmail, confirmEmail, resendEmail } from "../../../app/card/customer-email.js";
import { changePassword } from "../../../app/card/customer-password.js";
import type { Deps } from "../../../app/deps.js";
import { installErrorHandling } from "../../errors/error-handling.js";
import { customerOf, requireCustomer } from "./card-auth.js";
import { renderCardError } from "./envelope.js";
import { EmailBody, EmailConfirmQuery, PasswordChangeBody } from "./schemas.js";

const TAGS = ["card: customers"];
const security = [{ bearer: [] }];

export async function accountRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  installErrorHandling(app, renderCardError);
  requireCustomer(app, deps);

  app.put(
    "/v2/mobile/password/change",
    { schema: { tags: TAGS, summary: "Change the password with the current one; other sessions end", security, body: PasswordChangeBody } },
    async (request) => {
      await changePassword(deps, customerOf(request), { ...request.body, ip: request.ip });
      return { result: "ok" };
    },
  );

  app.put(
    "/v2/mobile/email/add",
    { schema: { tags: TAGS, summary: "Add an e-mail; a confirmation link is e-mailed (at most one every 30 s)", security, body: EmailBody } },
    async (request) => {
      await addEmail(deps, customerOf(request), request.body.email);
      return { result: "ok" };
    },
  );

  app.post(
    "/v2/mobile/email/verify/resend",
    { schema: { tags: TAGS, summary: "E-mail a new confirmation link (at most one every 30 s)", security } },
    async (request) => {
      await resendEmail(deps, customerOf(request));
      return { result: "ok" };
    },
  );
}

/** GET /v2/mobile/email/confirm: the link in the e-mail (no bearer token, no X-Merchant-ID). */
export async function emailConfirmRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  installErrorHandling(app, renderCardError);
  app.get(
    "/v2/mobile/email/confirm",
    { schema: { tags: TAGS, summary: "Confirm the e-mail with the link's token (24 h, used once)", querystring: EmailConfirmQuery } },
    async (request) => {
      await confirmEmail(deps, request.query);
      return { result: "Email address successfully confirmed" };
    },
  );
}
