// The KYC_0 survey (PATCH /v2/customer/profile): eight fields validated with the published patterns.
// KYC_0 is granted once all eight are present and valid and the customer is at least 18.
import countries from "i18n-iso-countries";
import { fiatScale } from "../money/currencies.js";
import { AppError } from "../shared/errors.js";

export interface Survey {
  firstName: string | null;
  lastName: string | null;
  primaryCurrency: string | null;
  residenceCountry: string | null; // ISO alpha-2
  residenceCity: string | null;
  residenceStreet: string | null;
  residenceZipCode: string | null;
  dateOfBirth: string | null; // YYYY-MM-DD
}

const SURVEY_FIELDS = [
  "firstName",
  "lastName",
  "primaryCurrency",
  "residenceCountry",
  "residenceCity",
  "residenceStreet",
  "residenceZipCode",
  "dateOfBirth",
] as const satisfies readonly (keyof Survey)[];

// The patterns published with the vault.ist profile call (docs/contract-card.md#kyc-levels-and-limits);
// names allow letters of any script, spaces, apostrophes, dots and hyphens.
const CITY_STREET = /^[a-zA-Z0-9\- /.,#]+$/;
const ZIP = /^[a-zA-Z0-9_."\-,\s&]*$/;
const COUNTRY = /^[a-zA-Z]{2,3}$/;
const NAME = /^[\p{L}][\p{L}\p{M} '.-]*$/u;
const MAX_TEXT = 100;

function bad(field: string, message: string): never {
  throw new AppError("validation_failed", { field, message });
}

function text(field: string, v: string, pattern: RegExp, what: string): string {
  const t = v.trim();
  if (t.length === 0 || t.length > MAX_TEXT || !pattern.test(t)) bad(field, `${field} ${what}.`);
  return t;
}

/** Alpha-2 or alpha-3 → alpha-2 ("DEU" → "DE"); null when not an ISO 3166 country. */
export function countryAlpha2(v: string): string | null {
  if (!COUNTRY.test(v)) return null;
  const up = v.toUpperCase();
  if (up.length === 2) return countries.isValid(up) ? up : null;
  return countries.alpha3ToAlpha2(up) ?? null;
}
/** ISO date-time or date → YYYY-MM-DD (the calendar date as written, no time zone shift). */
function parseBirthDate(v: string, now: Date): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(v.trim());
  if (!m) bad("dateOfBirth", "dateOfBirth must be an ISO date, e.g. 1990-05-20T00:00:00.000Z.");
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) bad("dateOfBirth", "dateOfBirth is not a real date.");
  if (y < 1900 || date.getTime() > now.getTime()) bad("dateOfBirth", "dateOfBirth is out of range.");
  return `${m[1]}-${m[2]}-${m[3]}`;
}

/** Whole years between a YYYY-MM-DD birth date and `now` (UTC calendar). */
function ageOn(birth: string, now: Date): number {
  const [y, m, d] = birth.split("-").map(Number) as [number, number, number];
  let age = now.getUTCFullYear() - y;
  if (now.getUTCMonth() + 1 < m || (now.getUTCMonth() + 1 === m && now.getUTCDate() < d)) age -= 1;
  return age;
}

const MIN_AGE = 18;

/** Validates the fields present in a survey update; absent (undefined) fields are left as they are. */
export function validateSurveyPatch(patch: Partial<Record<keyof Survey, string>>, now: Date): Partial<Survey> {
  const out: Partial<Survey> = {};
  if (patch.firstName !== undefined) out.firstName = text("firstName", patch.firstName, NAME, "must be letters");
  if (patch.lastName !== undefined) out.lastName = text("lastName", patch.lastName, NAME, "must be letters");
  if (patch.primaryCurrency !== undefined) {
    const c = patch.primaryCurrency.trim().toUpperCase();
    try {
      fiatScale(c, "primaryCurrency");
    } catch {
      bad("primaryCurrency", "primaryCurrency must be an ISO 4217 currency code.");
    }
    out.primaryCurrency = c;
  }
  if (patch.residenceCountry !== undefined) {
    const c = countryAlpha2(patch.residenceCountry.trim());
    if (!c) bad("residenceCountry", "residenceCountry must be an ISO 3166 alpha-2 or alpha-3 code.");
    out.residenceCountry = c;
  }
  if (patch.residenceCity !== undefined) out.residenceCity = text("residenceCity", patch.residenceCity, CITY_STREET, "has characters that are not allowed");
  if (patch.residenceStreet !== undefined) out.residenceStreet = text("residenceStreet", patch.residenceStreet, CITY_STREET, "has characters that are not allowed");
  if (patch.residenceZipCode !== undefined) {
    const z = patch.residenceZipCode.trim();
    if (z.length > 20 || !ZIP.test(z)) bad("residenceZipCode", "residenceZipCode has characters that are not allowed.");
    out.residenceZipCode = z;
  }
  if (patch.dateOfBirth !== undefined) {
    const dob = parseBirthDate(patch.dateOfBirth, now);
    if (ageOn(dob, now) < MIN_AGE) bad("dateOfBirth", `You must be at least ${MIN_AGE} years old.`);
    out.dateOfBirth = dob;
  }
  return out;
}

/** All eight fields present (each was validated when written). */
export function surveyComplete(s: Survey): boolean {
  return SURVEY_FIELDS.every((f) => s[f] !== null && s[f] !== "");
}
