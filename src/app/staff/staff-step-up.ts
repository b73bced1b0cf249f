// The console's step-up check (core/staff/step-up.ts), with the sign-in's lock-out counters.
import { AppError } from "../../core/shared/errors.js";
import { needsStepUp, stepUpAmountFor } from "../../core/staff/step-up.js";
import { outsideAuditScope } from "../../db/audit/audit-scope.js";
import type { Deps } from "../deps.js";
import { failureKeys } from "./account-sign-in.js";
import { verifySecondFactor } from "./second-factor.js";

/**
 * The step-up before a console action that moves more than RAMPART_STEP_UP_AMOUNT of `currency`: a
 * fresh TOTP code (a recovery code is for signing in only), counted by the sign-in's lock-out. The check
 * runs outside the action's audit scope: it writes (the code's time step, a failure) before the action
 * runs, so inside the scope it would carry the action's entry, or leave one for an action then refused.
 */
export async function verifyStepUp(deps: Deps, a: { userId: string; email: string; ip: string; code: unknown; amount: string; currency: string }): Promise<void> {
  if (!needsStepUp(deps.config.stepUpAmounts, a.amount, a.currency)) return;
  const code = typeof a.code === "string" ? a.code.trim() : "";
  if (code === "") {
    const limit = stepUpAmountFor(deps.config.stepUpAmounts, a.currency)!;
    throw new AppError("step_up_required", {
      field: "totp",
      message: `This action moves ${a.amount} ${a.currency}, more than ${limit.text} ${a.currency}: enter a code from your authenticator app.`,
    });
  }
  await outsideAuditScope(async () => {
    if (!(await verifySecondFactor(deps, "operator", a.userId, code, false, failureKeys("operator", a.email, a.ip)))) {
      throw new AppError("invalid_second_factor", { field: "totp" });
    }
  });
}

