// KYC levels of the card dialect, in order. A customer's level only rises.
import { AppError } from "../shared/errors.js";

export const CARD_KYC_LEVELS = ["NONE", "KYC_0", "KYC_1", "KYC_2", "KYC_3"] as const;
export type CardKycLevel = (typeof CARD_KYC_LEVELS)[number];

export function isKycLevel(v: string): v is CardKycLevel {
  return (CARD_KYC_LEVELS as readonly string[]).includes(v);
}

export function levelRank(level: CardKycLevel): number {
  return CARD_KYC_LEVELS.indexOf(level);
}

export function atLeast(level: CardKycLevel, required: CardKycLevel): boolean {
  return levelRank(level) >= levelRank(required);
}

export function higherOf(a: CardKycLevel, b: CardKycLevel): CardKycLevel {
  return levelRank(a) >= levelRank(b) ? a : b;
}

/** Throws 403 KYC_LEVEL_REQUIRED naming the level needed. */
export function requireLevel(level: CardKycLevel, required: CardKycLevel): void {
  if (!atLeast(level, required)) {
    throw new AppError("kyc_level_required", {
      message: `KYC level ${required} is required (current level: ${level}).`,
      details: { requiredLevel: required, currentLevel: level },
    });
  }
}
