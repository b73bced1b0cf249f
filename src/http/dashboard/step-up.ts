// The console's step-up (core/staff/step-up.ts): a form that moves more than RAMPART_STEP_UP_AMOUNT
// carries a field for a fresh TOTP code, and its route checks that code (app verifyStepUp, outside
// the action's audit scope) before the use case runs, or, for an entered transaction hash, hands the
// check to the use case, which runs it after the hash passed its own checks (so a mistyped hash uses
// up no code). Without a valid code nothing is written.
import type { FastifyRequest } from "fastify";
import type { Deps } from "../../app/deps.js";
import { verifyStepUp } from "../../app/staff/staff-step-up.js";
import { TRADING_FIAT_SCALE } from "../../app/trading/amounts.js";
import { formatMinor } from "../../core/money/decimal.js";
import { needsStepUp, stepUpAmountFor } from "../../core/staff/step-up.js";
import { html, type SafeHtml } from "../pages/html.js";
import { principalOf } from "../plugins/principal.js";

/** An amount an action moves, in major units (exact decimal text) of a currency or asset. */
export interface MovedAmount {
  amount: string;
  currency: string;
}

/** A trading pay-in's fiat amount (minor units, 2 decimals) as the step-up compares it. */
export const tradingFiatMoved = (fiatMinor: bigint | string, fiatCurrency: string): MovedAmount => ({ amount: formatMinor(BigInt(fiatMinor), TRADING_FIAT_SCALE), currency: fiatCurrency });

/**
 * The code field of a form moving `moved` (empty when it needs none). `always` shows it, not required,
 * on a form whose amount is typed in it (a dispute's different amount): the route decides.
 */
export function stepUpField(deps: Deps, moved: MovedAmount, id: string, always = false): SafeHtml | string {
  const limit = stepUpAmountFor(deps.config.stepUpAmounts, moved.currency);
  if (limit === null) return "";
  const needed = needsStepUp(deps.config.stepUpAmounts, moved.amount, moved.currency);
  if (!needed && !always) return "";
  return html`<span class="step-up"><label for="totp-${id}">Authentication code${needed ? "" : html` (above ${limit.text} ${moved.currency})`}</label>
<input id="totp-${id}" name="totp" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" data-step-up="${needed ? "required" : "optional"}"${needed ? html` required` : ""}></span>`;
}

/** Refuses (step_up_required, invalid_second_factor, too_many_attempts) unless the form's code passes when `moved` needs it. */
export async function requireStepUp(deps: Deps, request: FastifyRequest, moved: MovedAmount): Promise<void> {
  const p = principalOf(request, "operator");
  const code = (request.body as { totp?: unknown } | undefined)?.totp;
  await verifyStepUp(deps, { userId: p.operatorId, email: p.name, ip: request.ip, code, amount: moved.amount, currency: moved.currency });
}
