// Dialects react to KYC decisions (an intent waiting for KYC moves on) without KYC knowing them:
// each registers a listener, called inside the deciding transaction.
import type { Transaction } from "kysely";
import type { DB } from "../../db/schema.js";
import type { KycCaseRow } from "../../db/kyc/kyc.js";
import type { Deps } from "../deps.js";

export type KycListener = (deps: Deps, trx: Transaction<DB>, decided: KycCaseRow) => Promise<void>;

const listeners: KycListener[] = [];

export function onKycCaseChanged(listener: KycListener): void {
  listeners.push(listener);
}

export async function notifyKycListeners(deps: Deps, trx: Transaction<DB>, c: KycCaseRow): Promise<void> {
  for (const l of listeners) await l(deps, trx, c);
}
