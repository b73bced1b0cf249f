// Each dialect's request mapped onto the risk signals (core/risk/signals.ts). Only what the dialect
// actually carries is filled; the rest stays missing and its rules report "not evaluated".
import type { RiskSignals } from "../../core/risk/signals.js";

const str = (v: unknown): string | null => (typeof v === "string" && v.length > 0 ? v : typeof v === "number" && Number.isFinite(v) ? String(v) : null);

/** Trading: extra.payerInfo (ip, userId, userAgent, fingerprint, registeredAt in ms) and depositType. */
export function tradingSignals(input: { amountMinor: bigint; currency: string; depositType: string | null; extra: Record<string, unknown> | null }): RiskSignals {
  const info = (input.extra?.payerInfo ?? null) as Record<string, unknown> | null;
  const registered = typeof info?.registeredAt === "number" && Number.isFinite(info.registeredAt) ? new Date(info.registeredAt) : null;
  return {
    flow: "trading",
    amountMinor: input.amountMinor,
    currency: input.currency,
    userId: str(info?.userId),
    fingerprint: str(info?.fingerprint),
    ip: str(info?.ip),
    userAgent: str(info?.userAgent),
    email: str(info?.email),
    depositType: input.depositType,
    registeredAt: registered && !Number.isNaN(registered.getTime()) ? registered : null,
  };
}

/** Payment intents: the payer's e-mail (also its user), IP, declared country and wallet. */
export function intentSignals(input: { amountMinor: bigint; currency: string; email: string; ip: string; country: string | null; wallet: string }): RiskSignals {
  return {
    flow: "intent",
    amountMinor: input.amountMinor,
    currency: input.currency,
    userId: input.email.trim().toLowerCase(),
    email: input.email,
    ip: input.ip,
    declaredCountry: input.country,
    wallet: input.wallet,
  };
}

/**
 * Cards: the customer (its id is the user), the saved card, its BIN and billing country, and at offer
 * create the device's client address and user agent (null at pay, which is assessed only for offers
 * that were not assessed at create).
 */
export function cardSignals(input: {
  amountMinor: bigint;
  currency: string;
  customerId: string;
  cardId: string;
  cardBin: string | null;
  cardCountry: string | null;
  wallet: string | null;
  ip: string | null;
  userAgent: string | null;
}): RiskSignals {
  return {
    flow: "card",
    amountMinor: input.amountMinor,
    currency: input.currency,
    userId: input.customerId,
    card: input.cardId,
    cardBin: input.cardBin,
    cardCountry: input.cardCountry,
    wallet: input.wallet,
    ip: input.ip,
    userAgent: input.userAgent,
  };
}
