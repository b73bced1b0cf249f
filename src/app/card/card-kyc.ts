// KYC_1 for card customers (POST /v4/kyc/start) on the shared KYC capability: a case at level KYC_1
// and a link to the hosted KYC page. The vendor's (or support's) decision reaches the customer through
// applyKycToCustomer, which transitionCase calls: it raises the level and sets the status the API reports.
import type { Transaction } from "kysely";
import { higherOf, requireLevel } from "../../core/card/kyc-levels.js";
import { AppError } from "../../core/shared/errors.js";
import { type CustomerRow, findCustomer, firstStoreOf, lockCustomerByKycCase, updateCustomer } from "../../db/card/customers.js";
import { findKycCase, type KycCaseRow } from "../../db/kyc/kyc.js";
import type { Db, DB } from "../../db/schema.js";
import type { Deps } from "../deps.js";
import type { CommitAnswer } from "../idempotency/idempotency-keys.js";
import { createKycLink, openCase, userFor, validCase } from "../kyc/kyc-cases.js";
import type { CustomerPrincipal } from "./customer-auth.js";
import { cardCustomerChanging } from "./session-cache.js";
import { levelOf } from "./customer-profile.js";

/** How long the hosted-page link stays usable. */
const CARD_KYC_LINK_TTL_MS = 24 * 3600_000;

/**
 * KYC users are keyed by (store, e-mail) and card customers have no e-mail: each customer gets an
 * address under the reserved `.invalid` domain (RFC 2606), which can never collide with a real one.
 */
export const kycIdentityOf = (customerId: string) => `card-customer-${customerId}@customers.invalid`;

export interface StartedKyc {
  id: string;
  url: string | null;
}

export async function startCardKyc(deps: Deps, who: CustomerPrincipal, commit?: CommitAnswer<StartedKyc>): Promise<StartedKyc> {
  return deps.database.db.transaction().execute(async (trx) => {
    const customer = (await findCustomer(trx, who.customerId, true))!;
    requireLevel(levelOf(customer), "KYC_0");
    const storeId = await firstStoreOf(trx, customer.merchant_id);
    if (!storeId) throw new AppError("store_not_configured", { message: "The merchant has no store to run KYC under." });
    const userId = await userFor(deps, trx, storeId, kycIdentityOf(customer.id));
    const valid = await validCase(trx, userId, "KYC_1", deps.clock.now());
    if (valid) {
      const already = { id: valid.id, url: null };
      await commit?.(trx, already);
      return already;
    }
    const kycCase = await openCase(deps, trx, userId, "KYC_1");
    await updateCustomer(trx, customer.id, { kyc1_case_id: kycCase.id, updated_at: deps.clock.now() });
    const started = { id: kycCase.id, url: await createKycLink(deps, trx, kycCase.id, null, CARD_KYC_LINK_TTL_MS) };
    await commit?.(trx, started);
    return started;
  });
}

const STATUS_OF_CASE: Record<string, string | undefined> = {
  submitted: "UNDER_REVIEW",
  pending_vendor: "UNDER_REVIEW",
  review: "UNDER_REVIEW",
  approved: "APPROVED",
  rejected: "DENIED",
};

/** A KYC_1 decision (transitionCase) raises the customer's level and sets the status the API reports. */
export async function applyKycToCustomer(deps: Deps, trx: Transaction<DB>, c: KycCaseRow): Promise<void> {
  if (c.level !== "KYC_1") return;
  const customer = await lockCustomerByKycCase(trx, c.id);
  const status = STATUS_OF_CASE[c.status];
  if (!customer || !status) return;
  if (c.status === "approved") cardCustomerChanging(deps, customer.id);
  await updateCustomer(trx, customer.id, {
    kyc1_status: status,
    kyc1_reason: c.status === "rejected" ? c.reason : null,
    ...(c.status === "approved" ? { kyc_level: higherOf(levelOf(customer), "KYC_1") } : {}),
    updated_at: deps.clock.now(),
  });
}

const DAY_MS = 86_400_000;

/**
 * Whole days (rounded up) until the customer's approved KYC_1 expires, the store's KYC validity after
 * the decision; null without an approval.
 */
export async function daysToExpireKyc(deps: Deps, db: Db, c: CustomerRow): Promise<number | null> {
  if (!c.kyc1_case_id) return null;
  const kycCase = await findKycCase(db, c.kyc1_case_id);
  if (!kycCase || kycCase.status !== "approved" || !kycCase.expires_at) return null;
  return Math.max(0, Math.ceil((kycCase.expires_at.getTime() - deps.clock.now().getTime()) / DAY_MS));
}
