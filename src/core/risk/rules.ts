// The risk rule vocabulary: rules are data (rows of risk_rules, platform-wide or per merchant), each a
// `kind` with its parameters and a weight. A fired rule adds its weight to the payment's score; the
// merchant's thresholds turn the score into allow | review | block (decision.ts). An allow-list hit
// decides allow on its own. docs/risk.md explains every kind with examples.
import countryCodes from "i18n-iso-countries";
import { AppError } from "../shared/errors.js";
import { isFiat } from "../money/currencies.js";

/** The payer signals a velocity rule can count by. */
export const VELOCITY_SIGNALS = ["userId", "fingerprint", "ip", "email", "card", "wallet"] as const;
type VelocitySignal = (typeof VELOCITY_SIGNALS)[number];

/** The signals a list rule can match. */
export const LIST_SIGNALS = ["ip", "fingerprint", "email", "emailDomain", "wallet", "bin", "userId"] as const;
type ListSignal = (typeof LIST_SIGNALS)[number];

export type RiskRuleSpec =
  /** More than `limit` payments (count) or more than `limit` minor units (sum, one currency) per signal value in the window. */
  | { kind: "velocity"; signal: VelocitySignal; measure: "count"; windowSeconds: number; limit: number }
  | { kind: "velocity"; signal: VelocitySignal; measure: "sum"; windowSeconds: number; limit: string; currency: string }
  /** More than `limit` distinct payer userIds seen with one fingerprint in the window. */
  | { kind: "distinct_users_per_fingerprint"; windowSeconds: number; limit: number }
  /** A first-time deposit (depositType FTD) above `maxAmount` minor units of `currency`. */
  | { kind: "ftd_cap"; currency: string; maxAmount: string }
  /** A payer registered less than `hours` ago paying above `maxAmount` (0: any amount). */
  | { kind: "new_account"; hours: number; currency: string; maxAmount: string }
  /** One of the payer's first `payments` payments seen by Rampart above `maxAmount`. */
  | { kind: "first_payments"; payments: number; currency: string; maxAmount: string }
  /** The signal's value is on the list (IPs may be CIDRs; email domains match the e-mail's domain). */
  | { kind: "list"; signal: ListSignal; mode: "block" | "allow"; values: string[] }
  /** The e-mail's domain is a disposable-mail domain (maintained list package). */
  | { kind: "disposable_email" }
  /** The IP's country differs from the country the payer declared, or the card's issuing country. */
  | { kind: "ip_country_mismatch"; against: "declaredCountry" | "cardCountry" }
  /** The IP's country is not one of the served countries. */
  | { kind: "served_countries"; countries: string[] }
  /** The payer's trading disputes were decided "not paid" more than `limit` times. */
  | { kind: "payer_disputes"; limit: number };

export interface RiskRule {
  id: string;
  /** null: a platform-wide default that applies to every merchant. */
  merchantId: string | null;
  name: string;
  weight: number;
  spec: RiskRuleSpec;
}

const MAX_LIST_VALUES = 10_000;
const MAX_WINDOW_SECONDS = 31 * 24 * 3600;

const bad = (field: string, message: string) => new AppError("validation_failed", { field, message });

function intIn(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) throw bad(field, `${field} must be an integer from ${min} to ${max}.`);
  return v;
}

function minorAmount(v: unknown, field: string): string {
  if (typeof v !== "string" || !/^(0|[1-9][0-9]{0,30})$/.test(v)) throw bad(field, `${field} must be a non-negative integer amount in minor units, as a string.`);
  return v;
}

/** A payment's currency is fiat (pay-ins, intents and card payments all take fiat): a code no payment has would never fire. */
function currency(v: unknown, field: string): string {
  if (typeof v !== "string" || !isFiat(v)) throw bad(field, `${field} must be an ISO 4217 fiat currency.`);
  return v.toUpperCase();
}

function oneOf<T extends string>(v: unknown, field: string, allowed: readonly T[]): T {
  if (typeof v !== "string" || !(allowed as readonly string[]).includes(v)) throw bad(field, `${field} must be one of ${allowed.join(", ")}.`);
  return v as T;
}

function countries(v: unknown, field: string): string[] {
  // Assigned codes only: a served country of XX would fire on every payment (found by fuzzing).
  if (!Array.isArray(v) || v.length === 0 || v.length > 300 || !v.every((c) => typeof c === "string" && /^[A-Za-z]{2}$/.test(c) && countryCodes.isValid(c.toUpperCase()))) {
    throw bad(field, `${field} must be a non-empty list of ISO 3166 alpha-2 codes.`);
  }
  return v.map((c: string) => c.toUpperCase());
}

/** Parses a rule's parameters as sent to the API; refuses anything the engine would not understand. */
export function parseRuleSpec(raw: unknown): RiskRuleSpec {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw bad("spec", "spec must be an object.");
  const r = raw as Record<string, unknown>;
  switch (r.kind) {
    case "velocity": {
      const signal = oneOf(r.signal, "spec.signal", VELOCITY_SIGNALS);
      const windowSeconds = intIn(r.windowSeconds, "spec.windowSeconds", 1, MAX_WINDOW_SECONDS);
      const measure = oneOf(r.measure, "spec.measure", ["count", "sum"] as const);
      if (measure === "count") return { kind: "velocity", signal, measure, windowSeconds, limit: intIn(r.limit, "spec.limit", 0, 1_000_000) };
      return { kind: "velocity", signal, measure, windowSeconds, limit: minorAmount(r.limit, "spec.limit"), currency: currency(r.currency, "spec.currency") };
    }
    case "distinct_users_per_fingerprint":
      return { kind: r.kind, windowSeconds: intIn(r.windowSeconds, "spec.windowSeconds", 1, MAX_WINDOW_SECONDS), limit: intIn(r.limit, "spec.limit", 1, 1_000_000) };
    case "ftd_cap":
      return { kind: r.kind, currency: currency(r.currency, "spec.currency"), maxAmount: minorAmount(r.maxAmount, "spec.maxAmount") };
    case "new_account":
      return { kind: r.kind, hours: intIn(r.hours, "spec.hours", 1, 24 * 3650), currency: currency(r.currency, "spec.currency"), maxAmount: minorAmount(r.maxAmount, "spec.maxAmount") };
    case "first_payments":
      return { kind: r.kind, payments: intIn(r.payments, "spec.payments", 1, 1000), currency: currency(r.currency, "spec.currency"), maxAmount: minorAmount(r.maxAmount, "spec.maxAmount") };
    case "list": {
      const signal = oneOf(r.signal, "spec.signal", LIST_SIGNALS);
      const mode = oneOf(r.mode, "spec.mode", ["block", "allow"] as const);
      if (!Array.isArray(r.values) || r.values.length === 0 || r.values.length > MAX_LIST_VALUES || !r.values.every((v) => typeof v === "string" && v.length > 0 && v.length <= 320)) {
        throw bad("spec.values", `spec.values must be 1 to ${MAX_LIST_VALUES} non-empty strings.`);
      }
      const values = (r.values as string[]).map((v) => normalizeListValue(signal, v));
      return { kind: "list", signal, mode, values };
    }
    case "disposable_email":
      return { kind: r.kind };
    case "ip_country_mismatch":
      return { kind: r.kind, against: oneOf(r.against, "spec.against", ["declaredCountry", "cardCountry"] as const) };
    case "served_countries":
      return { kind: r.kind, countries: countries(r.countries, "spec.countries") };
    case "payer_disputes":
      return { kind: r.kind, limit: intIn(r.limit, "spec.limit", 0, 1_000_000) };
    default:
      throw bad("spec.kind", "spec.kind is not a known rule kind (see docs/risk.md).");
  }
}

/** List values compare case-insensitively; a BIN is its first 6 digits; an IP entry must parse. */
function normalizeListValue(signal: ListSignal, v: string): string {
  const s = v.trim().toLowerCase();
  if (signal === "ip" && !parseCidr(s)) throw bad("spec.values", `${v} is not an IP address or CIDR block.`);
  if (signal === "bin" && !/^[0-9]{6,8}$/.test(s)) throw bad("spec.values", `${v} is not a card BIN (6 to 8 digits).`);
  return s;
}

export function parseWeight(v: unknown): number {
  return intIn(v, "weight", 0, 100);
}

// --- IP addresses and CIDR blocks, as bigints so IPv4 and IPv6 share one comparison.

export interface Cidr {
  v6: boolean;
  base: bigint;
  bits: number;
}

function parseIpv4(s: string): bigint | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  let n = 0n;
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p) || Number(p) > 255) return null;
    n = (n << 8n) | BigInt(p);
  }
  return n;
}

function parseIpv6(s: string): bigint | null {
  if (!/^[0-9a-f:.]+$/.test(s) || s.split("::").length > 2) return null;
  let tail = s;
  let v4: bigint | null = null;
  const lastColon = s.lastIndexOf(":");
  if (s.includes(".")) {
    v4 = parseIpv4(s.slice(lastColon + 1));
    if (v4 === null) return null;
    tail = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const [head, rest] = tail.split("::") as [string, string | undefined];
  const h = head ? head.split(":") : [];
  const t = rest !== undefined && rest !== "" ? rest.split(":") : [];
  const missing = 8 - h.length - t.length;
  if ((rest === undefined && missing !== 0) || (rest !== undefined && missing < 1)) return null;
  const groups = [...h, ...Array<string>(rest === undefined ? 0 : missing).fill("0"), ...t];
  let n = 0n;
  for (const g of groups) {
    if (!/^[0-9a-f]{1,4}$/.test(g)) return null;
    n = (n << 16n) | BigInt(`0x${g}`);
  }
  if (v4 !== null) n = (n & ~0xffffffffn) | v4;
  return n;
}

/** An address (a /32 or /128) or a CIDR block; IPv4-mapped IPv6 addresses compare as IPv4. */
export function parseCidr(s: string): Cidr | null {
  const [addr, len, extra] = s.trim().toLowerCase().split("/");
  if (extra !== undefined || !addr) return null;
  let v6 = false;
  let base = parseIpv4(addr);
  if (base === null) {
    const six = parseIpv6(addr);
    if (six === null) return null;
    if (six >> 32n === 0xffffn) base = six & 0xffffffffn;
    else {
      base = six;
      v6 = true;
    }
  }
  const max = v6 ? 128 : 32;
  const bits = len === undefined ? max : /^[0-9]{1,3}$/.test(len) ? Number(len) : -1;
  if (bits < 0 || bits > max) return null;
  const mask = bits === 0 ? 0n : ((1n << BigInt(bits)) - 1n) << BigInt(max - bits);
  return { v6, base: base & mask, bits };
}

export function cidrContains(block: Cidr, ip: Cidr): boolean {
  if (block.v6 !== ip.v6) return false;
  const max = block.v6 ? 128 : 32;
  const mask = block.bits === 0 ? 0n : ((1n << BigInt(block.bits)) - 1n) << BigInt(max - block.bits);
  return (ip.base & mask) === block.base;
}
