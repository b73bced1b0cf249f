// The customer's profile (the KYC_0 survey), KYC status and rolling limits.
import { atLeast, type CardKycLevel, higherOf, isKycLevel } from "../../core/card/kyc-levels.js";
import { countryAlpha2, type Survey, surveyComplete, validateSurveyPatch } from "../../core/card/profile-survey.js";
import { fiatScale } from "../../core/money/currencies.js";
import { parseAmount } from "../../core/money/decimal.js";
import { AppError } from "../../core/shared/errors.js";
import { type CustomerRow, findCustomer, updateCustomer } from "../../db/card/customers.js";
import { rollingVolume } from "../../db/card/offers.js";
import type { Db } from "../../db/schema.js";
import type { Deps } from "../deps.js";
import type { CustomerPrincipal } from "./customer-auth.js";
import { cardCustomerChanging } from "./session-cache.js";

const LIMIT_WINDOW_MS = 30 * 24 * 3600_000;

export function surveyOf(c: CustomerRow): Survey {
  return {
    firstName: c.first_name,
    lastName: c.last_name,
    primaryCurrency: c.primary_currency,
    residenceCountry: c.residence_country,
    residenceCity: c.residence_city,
    residenceStreet: c.residence_street,
    residenceZipCode: c.residence_zip_code,
    dateOfBirth: c.date_of_birth,
  };
}

export function levelOf(c: CustomerRow): CardKycLevel {
  return isKycLevel(c.kyc_level) ? c.kyc_level : "NONE";
}

export async function loadCustomer(db: Db, who: CustomerPrincipal): Promise<CustomerRow> {
  const c = await findCustomer(db, who.customerId);
  if (!c) throw new AppError("invalid_token", { message: "Unknown customer." });
  return c;
}

/** The profile fields a client may send: the survey, and the citizenship country (kept, not part of KYC_0). */
export type ProfilePatch = Partial<Record<keyof Survey | "citizenshipCountry", string>>;

/**
 * Saves the survey fields given (each validated with its published pattern) and grants KYC_0 once all
 * eight are present and the customer is at least 18. Names are locked from KYC_1 on.
 */
export async function updateSurvey(deps: Deps, who: CustomerPrincipal, patch: ProfilePatch): Promise<CustomerRow> {
  const now = deps.clock.now();
  const { citizenshipCountry, ...survey } = patch;
  const valid = validateSurveyPatch(survey, now);
  const citizenship = citizenshipCountry === undefined ? undefined : countryAlpha2(citizenshipCountry.trim());
  if (citizenship === null) throw new AppError("validation_failed", { field: "citizenshipCountry", message: "citizenshipCountry must be an ISO 3166 alpha-2 or alpha-3 code." });
  return deps.database.db.transaction().execute(async (trx) => {
    const c = (await findCustomer(trx, who.customerId, true))!;
    const before = surveyOf(c);
    if (atLeast(levelOf(c), "KYC_1")) {
      for (const f of ["firstName", "lastName"] as const) {
        if (valid[f] !== undefined && valid[f] !== before[f]) throw new AppError("name_locked", { field: f });
      }
    }
    const after: Survey = { ...before, ...valid };
    const level = surveyComplete(after) ? higherOf(levelOf(c), "KYC_0") : levelOf(c);
    if (level !== levelOf(c)) cardCustomerChanging(deps, c.id);
    await updateCustomer(trx, c.id, {
      first_name: after.firstName,
      last_name: after.lastName,
      primary_currency: after.primaryCurrency,
      residence_country: after.residenceCountry,
      residence_city: after.residenceCity,
      residence_street: after.residenceStreet,
      residence_zip_code: after.residenceZipCode,
      date_of_birth: after.dateOfBirth,
      ...(citizenship !== undefined ? { citizenship_country: citizenship } : {}),
      kyc_level: level,
      updated_at: now,
    });
    return (await findCustomer(trx, c.id))!;
  });
}

/** The limit of a level in minor units of the limit currency. */
export function levelLimitMinor(deps: Deps, level: CardKycLevel): bigint {
  const c = deps.config.card;
  return parseAmount(c.kycLimits[level], fiatScale(c.limitCurrency));
}

export interface LimitState {
  currency: string;
  scale: number;
  limitMinor: bigint;
  usedMinor: bigint;
  pendingMinor: bigint;
  remainingMinor: bigint;
}

/** The start of the rolling window the limits count over. */
export const limitWindowStart = (deps: Deps): Date => new Date(deps.clock.now().getTime() - LIMIT_WINDOW_MS);

/** The rolling 30-day volume against the level's limit (counting payments still pending). */
export async function limitState(deps: Deps, db: Db, customerId: string, level: CardKycLevel): Promise<LimitState> {
  return limitStateOf(deps, level, await rollingVolume(db, customerId, limitWindowStart(deps)));
}

export function limitStateOf(deps: Deps, level: CardKycLevel, v: { used: bigint; pending: bigint }): LimitState {
  const limitMinor = levelLimitMinor(deps, level);
  const remaining = limitMinor - v.used;
  return {
    currency: deps.config.card.limitCurrency,
    scale: fiatScale(deps.config.card.limitCurrency),
    limitMinor,
    usedMinor: v.used,
    pendingMinor: v.pending,
    remainingMinor: remaining > 0n ? remaining : 0n,
  };
}

/** Refuses an amount (in the limit currency) that the remaining headroom cannot take. */
export function assertWithinLimit(state: LimitState, amountMinor: bigint, field = "amount"): void {
  if (amountMinor > state.remainingMinor) throw limitExceeded(state, field);
}

export function limitExceeded(state: LimitState, field: string): AppError {
  return new AppError("payin_limit_exceeded", { field, details: { remaining: state.remainingMinor.toString(), currency: state.currency } });
}
