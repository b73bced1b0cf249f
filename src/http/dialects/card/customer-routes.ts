// The customer's profile (KYC_0 survey), KYC status and limits, and wallets (bearer token).
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { CustomerRow } from "../../../db/card/customers.js";
import { levelLimitMinor, levelOf, limitState, loadCustomer, type ProfilePatch, surveyOf, updateSurvey } from "../../../app/card/customer-profile.js";
import { customerWalletById, customerWallets } from "../../../app/card/wallets.js";
import { daysToExpireKyc, type StartedKyc, startCardKyc } from "../../../app/card/card-kyc.js";
import type { Deps } from "../../../app/deps.js";
import { CARD_KYC_LEVELS, levelRank } from "../../../core/card/kyc-levels.js";
import { fiatScale } from "../../../core/money/currencies.js";
import { minorToJsonNumber } from "../../../core/money/decimal.js";
import { installErrorHandling } from "../../errors/error-handling.js";
import { committedAnswer, idempotent } from "../../plugins/idempotency.js";
import { customerOf, customerScope, requireCustomer } from "./card-auth.js";
import { renderCardError } from "./envelope.js";
import { idParam } from "./ids.js";
import { renderWallet, totalFiat } from "./wallet-render.js";
import { ProfileBody, WalletParams } from "./schemas.js";

const TAGS = ["card: customers"];
const security = [{ bearer: [] }];

const omitNull = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));

function profile(c: CustomerRow, legacy: boolean) {
  const level = levelOf(c);
  const base = {
    email: c.email,
    confirmedEmail: c.email_confirmed_at !== null,
    phone: c.phone,
    ...surveyOf(c),
    // The calendar date as sent and stored (YYYY-MM-DD).
    dateOfBirth: c.date_of_birth,
    citizenshipCountry: c.citizenship_country,
    pushEnabled: false,
    enabled2FA: false,
  };
  if (!legacy) return omitNull(base);
  return omitNull({
    ...base,
    customerId: Number(c.number),
    country: c.residence_country,
    completedKycLevel: level,
    completedKycLevelList: CARD_KYC_LEVELS.filter((l) => l !== "NONE" && levelRank(l) <= levelRank(level)),
    payinIsBlocked: false,
    isTemporaryPassword: false,
  });
}

function surveyPatch(body: Record<string, unknown>): ProfilePatch {
  const { residenceState: _s, ...patch } = body;
  return patch as ProfilePatch;
}

export async function customerRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  installErrorHandling(app, renderCardError);
  requireCustomer(app, deps);

  app.patch(
    "/v2/customer/profile",
    { schema: { tags: TAGS, summary: "Fill the profile survey; all eight fields valid and age >= 18 grants KYC_0 (204)", security, body: ProfileBody } },
    async (request, reply) => {
      await updateSurvey(deps, customerOf(request), surveyPatch(request.body));
      return reply.code(204).send();
    },
  );

  app.put(
    "/v1/customer/profile",
    { schema: { tags: TAGS, summary: "Legacy alias of PATCH /v2/customer/profile; answers 200 with the profile", security, body: ProfileBody } },
    async (request) => profile(await updateSurvey(deps, customerOf(request), surveyPatch(request.body)), true),
  );

  app.get("/v2/customer/profile", { schema: { tags: TAGS, summary: "The customer's profile (null fields omitted)", security } }, async (request) =>
    profile(await loadCustomer(deps.database.db, customerOf(request)), false),
  );

  app.get("/v1/customer/profile", { schema: { tags: TAGS, summary: "Legacy profile, with KYC level fields", security } }, async (request) =>
    profile(await loadCustomer(deps.database.db, customerOf(request)), true),
  );

  app.get("/v2/customer/kyc/data", { schema: { tags: TAGS, summary: "KYC level, per-level status and the rolling limit", security } }, async (request) => {
    const who = customerOf(request);
    const c = await loadCustomer(deps.database.db, who);
    const level = levelOf(c);
    const limit = await limitState(deps, deps.database.db, who.customerId, level);
    const levelData = (status: string, reason: string | null = null) => ({ status, reason, rejectFormattedMessage: reason });
    return {
      kycLevel: level,
      kyc1ClientData: levelData(c.kyc1_status, c.kyc1_reason),
      kyc2ClientData: levelData(levelRank(level) >= levelRank("KYC_2") ? "APPROVED" : "UNDEFINED"),
      kyc3ClientData: levelData(levelRank(level) >= levelRank("KYC_3") ? "APPROVED" : "UNDEFINED"),
      kyc1AttemptsExceeded: false,
      daysToExpireKyc: await daysToExpireKyc(deps, deps.database.db, c),
      remainingAmount: { value: minorToJsonNumber(limit.remainingMinor, limit.scale), currency: limit.currency },
      blockedAmount: { value: minorToJsonNumber(limit.pendingMinor, limit.scale), currency: limit.currency },
    };
  });

  app.post(
    "/v4/kyc/start",
    {
      schema: {
        tags: TAGS,
        summary: "Start KYC_1: a case and a link to the hosted KYC page (url is null when KYC_1 is already valid)",
        security,
        querystring: Type.Object({ platform: Type.Optional(Type.String({ maxLength: 20 })) }),
      },
      ...idempotent(deps, customerScope),
    },
    async (request, reply) => {
      const answer = committedAnswer(deps, request, reply, (started: StartedKyc) => ({ status: 200, payload: started }));
      return answer.send(await startCardKyc(deps, customerOf(request), answer.commit));
    },
  );

  app.get("/v1/kyc/limits", { schema: { tags: TAGS, summary: "The rolling 30-day limit of each KYC level", security } }, async () => {
    const currency = deps.config.card.limitCurrency;
    const scale = fiatScale(currency);
    const v = (level: (typeof CARD_KYC_LEVELS)[number]) => ({ value: minorToJsonNumber(levelLimitMinor(deps, level), scale), currency });
    return { kycNoneLimit: v("NONE"), kyc0Limit: v("KYC_0"), kyc1Limit: v("KYC_1"), kyc2Limit: v("KYC_2"), kyc3Limit: v("KYC_3") };
  });

  app.get("/v2/wallets", { schema: { tags: TAGS, summary: "The customer's custodial crypto wallets (balances from the ledger)", security } }, async (request) => {
    const wallets = await customerWallets(deps, customerOf(request));
    // accounts are vault.ist's fiat (IBAN) accounts, which Rampart does not offer.
    return { wallets: wallets.map(renderWallet), accounts: [], fiat: totalFiat(wallets) };
  });

  app.get(
    "/v2/wallets/:walletId",
    { schema: { tags: TAGS, summary: "One of the customer's wallets: id, currency, balance, address", security, params: WalletParams } },
    async (request) => renderWallet(await customerWalletById(deps, customerOf(request), idParam(request.params.walletId, "wallet"))),
  );
}
