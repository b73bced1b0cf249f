// Customer accounts: signup, phone confirmation, SMS resend and password reset (X-Merchant-ID), the
// token endpoint, sign-out.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { confirmPhone, passwordGrant, refreshGrant, requireMerchant, resendCode, signout, signup } from "../../../app/card/customer-auth.js";
import { checkPasswordResetCode, requestPasswordReset, resetPassword } from "../../../app/card/customer-password.js";
import type { Deps } from "../../../app/deps.js";
import { AppError } from "../../../core/shared/errors.js";
import { installErrorHandling } from "../../errors/error-handling.js";
import { committedAnswer, idempotent } from "../../plugins/idempotency.js";
import { customerOf, customerScope, merchantOf, merchantScope, requireCustomer, requireMerchantHeader } from "./card-auth.js";
import { renderCardError, renderOAuthError } from "./envelope.js";
import { ConfirmBody, ResendBody, ResetCodeBody, ResetConfirmBody, SignupBody, TokenBody } from "./schemas.js";

const TAGS = ["card: customers"];
const resultOk = () => ({ status: 200, payload: { result: "ok" } });

/** /v2/mobile/*: the merchant comes from X-Merchant-ID. */
export async function mobileRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  installErrorHandling(app, renderCardError);
  requireMerchantHeader(app, deps);

  app.post(
    "/v2/mobile/signup",
    { schema: { tags: TAGS, summary: "Register a customer by phone and password; an SMS code is sent", body: SignupBody }, ...idempotent(deps, merchantScope) },
    async (request, reply) => {
      const answer = committedAnswer(deps, request, reply, resultOk);
      await signup(deps, { merchantId: merchantOf(request), phone: request.body.phone, password: request.body.password }, answer.commit);
      return answer.send(undefined);
    },
  );

  app.post(
    "/v2/mobile/phone/confirm",
    { schema: { tags: TAGS, summary: "Confirm the phone with the SMS code (smsCode or code); returns a token object", body: ConfirmBody } },
    async (request) => {
      const code = request.body.smsCode ?? request.body.code;
      if (code === undefined) throw new AppError("validation_failed", { field: "smsCode", message: "Missing required field: smsCode" });
      return confirmPhone(deps, { merchantId: merchantOf(request), phone: request.body.phone, code });
    },
  );

  app.post(
    "/v2/mobile/password/reset",
    { schema: { tags: TAGS, summary: "Send a password-reset SMS code to a confirmed phone (at most one every 30 s); ok for any phone", body: ResendBody } },
    async (request) => {
      await requestPasswordReset(deps, { merchantId: merchantOf(request), phone: request.body.phone });
      return { result: "ok" };
    },
  );

  app.post(
    "/v2/mobile/password/reset/confirm/code",
    { schema: { tags: TAGS, summary: "Check a password-reset code (5 wrong codes lock the reset for 15 minutes)", body: ResetCodeBody } },
    async (request) => {
      await checkPasswordResetCode(deps, { merchantId: merchantOf(request), ...request.body });
      return { result: "ok" };
    },
  );

  app.post(
    "/v2/mobile/password/reset/confirm",
    { schema: { tags: TAGS, summary: "Set a new password with the reset code; ends every session and returns a token object", body: ResetConfirmBody } },
    async (request, reply) => {
      void reply.header("cache-control", "no-store");
      return resetPassword(deps, { merchantId: merchantOf(request), ...request.body });
    },
  );

  app.post(
    "/v2/mobile/phone/verify/resend",
    { schema: { tags: TAGS, summary: "Send a new SMS code (at most one every 30 s)", body: ResendBody } },
    async (request) => {
      await resendCode(deps, { merchantId: merchantOf(request), phone: request.body.phone });
      return { result: "ok" };
    },
  );
}

/** POST /oauth/token: form-encoded grants, OAuth2 error bodies. */
export async function oauthRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  installErrorHandling(app, renderOAuthError);

  app.post(
    "/oauth/token",
    {
      schema: {
        tags: TAGS,
        summary: "Sign in (grant_type=mobile_phone with number and password) or refresh (grant_type=refresh_token)",
        consumes: ["application/x-www-form-urlencoded"],
        body: TokenBody,
      },
    },
    async (request, reply) => {
      const b = request.body;
      void reply.header("cache-control", "no-store");
      switch (b.grant_type) {
        case "mobile_phone": {
          const merchantId = await requireMerchant(deps, request.headers["x-merchant-id"]);
          if (!b.number || b.password === undefined) throw new AppError("validation_failed", { field: b.number ? "password" : "number", message: "number and password are required" });
          return passwordGrant(deps, { merchantId, number: b.number, password: b.password, ip: request.ip });
        }
        case "refresh_token": {
          if (!b.refresh_token) throw new AppError("validation_failed", { field: "refresh_token", message: "refresh_token is required" });
          const header = request.headers["x-merchant-id"];
          const merchantId = typeof header === "string" && header.trim() !== "" ? await requireMerchant(deps, header) : null;
          return refreshGrant(deps, { merchantId, refreshToken: b.refresh_token });
        }
        default:
          throw new AppError("unsupported_grant_type", { message: `grant_type "${b.grant_type}" is not supported; use mobile_phone or refresh_token.` });
      }
    },
  );
}

/** POST /signout: ends the bearer token's session. */
export async function signoutRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  installErrorHandling(app, renderCardError);
  requireCustomer(app, deps);
  app.post(
    "/signout",
    { schema: { tags: TAGS, summary: "Sign out: revokes the refresh token and the session's access tokens", security: [{ bearer: [] }] }, ...idempotent(deps, customerScope) },
    async (request, reply) => {
      const answer = committedAnswer(deps, request, reply, resultOk);
      await signout(deps, customerOf(request), answer.commit);
      return answer.send(undefined);
    },
  );
}
