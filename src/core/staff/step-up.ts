// Step-up for console actions that move money: above a configured amount the person enters a fresh
// TOTP code again, even though the session is signed in (issue 18). The amount is per currency or
// asset (1,000 EUR and 1,000 RUB are not the same risk), with an optional amount for every other one:
// RAMPART_STEP_UP_AMOUNT="1000,RUB=100000,USDT=2000" (a bare amount is the default; none: off).
// config.ts reads the variable into StepUpAmounts (it imports this module's types only: the CLI's start
// loads no core module).

/** An exact non-negative decimal: coefficient × 10^-scale, and the text it was written as. */
interface Amount {
  text: string;
  coefficient: bigint;
  scale: number;
}

/** Non-negative decimal text to an Amount, or null. */
function amountOf(text: string): Amount | null {
  const m = /^(\d{1,30})(?:\.(\d{1,18}))?$/.exec(text.trim());
  if (!m) return null;
  return { text: text.trim(), coefficient: BigInt(m[1]! + (m[2] ?? "")), scale: (m[2] ?? "").length };
}

export interface StepUpAmounts {
  /** For a currency or asset not named in `byCurrency`; null: no step-up for it. */
  default: Amount | null;
  byCurrency: Record<string, Amount>;
}

/** The amount above which `currency` needs a step-up, or null when it needs none. */
export function stepUpAmountFor(amounts: StepUpAmounts, currency: string): Amount | null {
  return amounts.byCurrency[currency.toUpperCase()] ?? amounts.default;
}

/** a > b, exactly, whatever their scales. */
function greater(a: Amount, b: Amount): boolean {
  const scale = Math.max(a.scale, b.scale);
  return a.coefficient * 10n ** BigInt(scale - a.scale) > b.coefficient * 10n ** BigInt(scale - b.scale);
}

/** Whether an action moving `amount` (a non-negative decimal text in major units) of `currency` needs a step-up. */
export function needsStepUp(amounts: StepUpAmounts, amount: string, currency: string): boolean {
  const limit = stepUpAmountFor(amounts, currency);
  const moved = amountOf(amount);
  if (moved === null) throw new Error(`not a decimal amount: ${amount}`);
  return limit !== null && greater(moved, limit);
}
