// KYC cases: open, submit to the vendor (after commit), record the decision, review by support.
// Every status change goes through the core table and leaves an audit event with its actor.
import { createHash, randomBytes } from "node:crypto";
import type { Transaction } from "kysely";
import { type KycActor, type KycCaseAction, type KycLevel, isKycValid, KYC_MACHINE } from "../../core/kyc/kyc-case.js";
import { AppError } from "../../core/shared/errors.js";
import {
  type KycCaseRow,
  findKycCase,
  findOpenCase,
  insertKycCase,
  insertKycEvent,
  insertKycLink,
  kycCaseMerchant,
  kycValidityDaysForUser,
  latestApprovedCases,
  lockKycCase,
  updateKycCase,
  upsertKycUsers,
  upsertKycUsersWithApprovedCases,
} from "../../db/kyc/kyc.js";
import type { DB } from "../../db/schema.js";
import { applyKycToCustomer } from "../card/card-kyc.js";
import type { Deps } from "../deps.js";
import { applyKycToIntents } from "../intents/intent-lifecycle.js";
import { enqueueJob } from "../outbox/outbox.js";
import type { KycDecision, KycSubmission, KycVendor } from "../ports.js";
import { portsFor } from "../merchants/test-mode.js";

const KYC_CHECK_JOB = "kyc.vendor_check";
/** Used when the user's store has no KYC validity setting. */
const DEFAULT_KYC_VALIDITY_DAYS = 365;

/** What a person tells the vendor about themselves: the vendor submission without its case keys. */
export type KycPersonalData = Omit<KycSubmission, "caseId" | "level">;

function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function userFor(deps: Deps, trx: Transaction<DB>, storeId: string, email: string): Promise<string> {
  return (await usersFor(deps, trx, [{ storeId, email }]))[0]!;
}

/** The users of several (store, e-mail) pairs in one statement (a batch of creates): ids in the order given. */
async function usersFor(deps: Deps, trx: Transaction<DB>, payers: readonly { storeId: string; email: string }[]): Promise<string[]> {
  const { rows, inOrder } = distinctPayers(deps, payers);
  return inOrder(await upsertKycUsers(trx, rows));
}

/** usersFor, with each user's latest approved case at `level` read in the same statement (a batch of intent creates). */
export async function usersWithApprovedCases(
  deps: Deps,
  trx: Transaction<DB>,
  payers: readonly { storeId: string; email: string }[],
  level: KycLevel,
): Promise<{ userIds: string[]; approved: Map<string, KycCaseRow> }> {
  const { rows, inOrder } = distinctPayers(deps, payers);
  const { ids, approved } = await upsertKycUsersWithApprovedCases(trx, rows, level);
  return { userIds: inOrder(ids), approved };
}

/** The distinct (store, normalised e-mail) pairs of `payers`, each with a new id should it be new, and how to give their ids back in the order of `payers`. */
function distinctPayers(deps: Deps, payers: readonly { storeId: string; email: string }[]) {
  const key = (p: { storeId: string; email: string }) => `${p.storeId}\n${normaliseEmail(p.email)}`;
  const distinct = new Map(payers.map((p) => [key(p), { id: deps.ids.prefixed("usr"), storeId: p.storeId, email: normaliseEmail(p.email) }]));
  const rows = [...distinct.values()];
  return {
    rows,
    inOrder(ids: readonly string[]): string[] {
      const idOf = new Map(rows.map((r, n) => [key(r), ids[n]!]));
      return payers.map((p) => idOf.get(key(p))!);
    },
  };
}

/** The user's approved, unexpired case at this level, if any. */
export async function validCase(trx: Transaction<DB>, userId: string, level: KycLevel, now: Date): Promise<KycCaseRow | null> {
  const c = (await latestApprovedCases(trx, [userId], level)).get(userId);
  return c && isKycValid(c, now) ? c : null;
}

/** The user's open case at this level, or a new one. */
export async function openCase(deps: Deps, trx: Transaction<DB>, userId: string, level: KycLevel): Promise<KycCaseRow> {
  const existing = await findOpenCase(trx, userId, level);
  if (existing) return existing;
  const now = deps.clock.now();
  const id = deps.ids.prefixed("kyc");
  await insertKycCase(trx, { id, user_id: userId, level, status: "open", files: "[]", created_at: now, updated_at: now, first_name: null, last_name: null, birth_date: null, document_type: null, document_number: null, country: null, nationality: null, reason: null, vendor_check_at: null, decided_at: null, expires_at: null });
  await insertKycEvent(trx, { caseId: id, from: null, to: "open", actor: "system", actorId: null, reason: null, at: now });
  return (await findKycCase(trx, id))!;
}

/**
 * Applies one transition to a locked case, with its audit event, and hands the new state to the two
 * areas that wait on KYC decisions, in the same transaction: payment intents (an intent waiting on
 * this user moves on) and card customers (KYC_1 raises the level).
 */
export async function transitionCase(
  deps: Deps,
  trx: Transaction<DB>,
  locked: KycCaseRow,
  action: KycCaseAction,
  actor: KycActor,
  opts: { actorId?: string; reason?: string } = {},
): Promise<KycCaseRow> {
  const to = KYC_MACHINE.next(locked.status, action);
  const now = deps.clock.now();
  const decided = to === "approved" || to === "rejected";
  const validityDays = to === "approved" ? ((await kycValidityDaysForUser(trx, locked.user_id)) ?? DEFAULT_KYC_VALIDITY_DAYS) : 0;
  await updateKycCase(trx, locked.id, {
    status: to,
    updated_at: now,
    ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
    ...(decided ? { decided_at: now } : {}),
    ...(to === "approved" ? { expires_at: new Date(now.getTime() + validityDays * 86_400_000) } : {}),
  });
  await insertKycEvent(trx, { caseId: locked.id, from: locked.status, to, actor, actorId: opts.actorId ?? null, reason: opts.reason ?? null, at: now });
  const updated = (await findKycCase(trx, locked.id))!;
  await applyKycToIntents(deps, trx, updated);
  await applyKycToCustomer(deps, trx, updated);
  return updated;
}

/** Stores the personal data on an open case and marks it submitted (in the caller's transaction). */
export async function markSubmitted(deps: Deps, trx: Transaction<DB>, caseId: string, data: KycPersonalData): Promise<KycCaseRow> {
  const locked = await lockKycCase(trx, caseId);
  if (!locked) throw new AppError("not_found");
  await updateKycCase(trx, caseId, {
    first_name: data.firstName,
    last_name: data.lastName,
    birth_date: data.birthDate,
    document_type: data.documentType,
    document_number: data.documentNumber,
    country: data.country,
    nationality: data.nationality,
    files: JSON.stringify(data.files),
  });
  return transitionCase(deps, trx, locked, "submit", "user");
}

/** Records a vendor answer on a submitted or pending case (idempotent: a decided case is left alone). */
export async function recordVendorDecision(deps: Deps, caseId: string, decision: KycDecision): Promise<KycCaseRow> {
  return deps.database.db.transaction().execute(async (trx) => {
    const locked = await lockKycCase(trx, caseId);
    if (!locked) throw new AppError("not_found");
    if (locked.status !== "submitted" && locked.status !== "pending_vendor") return locked;
    switch (decision.kind) {
      case "approved":
        return transitionCase(deps, trx, locked, "approve", "vendor");
      case "rejected":
        return transitionCase(deps, trx, locked, "reject", "vendor", { reason: decision.reason });
      case "review":
        return transitionCase(deps, trx, locked, "send_to_review", "vendor");
      case "pending": {
        const checkAt = new Date(deps.clock.now().getTime() + decision.retryAfterMs);
        await updateKycCase(trx, caseId, { vendor_check_at: checkAt });
        await enqueueJob(trx, KYC_CHECK_JOB, { caseId }, { key: `${KYC_CHECK_JOB}:${caseId}:${checkAt.getTime()}`, dueAt: checkAt });
        return locked.status === "pending_vendor" ? locked : transitionCase(deps, trx, locked, "vendor_pending", "vendor");
      }
    }
  });
}

/** The vendor of the case's merchant: a test twin's cases go to the sandbox vendor. */
export async function kycVendorOf(deps: Deps, caseId: string): Promise<KycVendor> {
  return (await portsFor(deps, await kycCaseMerchant(deps.database.db, caseId))).kyc;
}

/** Sends a submitted case to the vendor. Called after the submitting transaction committed. */
export async function submitToVendor(deps: Deps, c: KycCaseRow): Promise<KycCaseRow> {
  const decision = await (await kycVendorOf(deps, c.id)).submit({
    caseId: c.id,
    level: c.level,
    firstName: c.first_name ?? "",
    lastName: c.last_name ?? "",
    birthDate: c.birth_date,
    documentType: c.document_type,
    documentNumber: c.document_number,
    country: c.country,
    nationality: c.nationality,
    files: c.files,
  });
  return recordVendorDecision(deps, c.id, decision);
}

export const hashLinkToken = (token: string) => createHash("sha256").update(token).digest("hex");

/** A single-use, expiring link to the hosted KYC page for a case. */
export async function createKycLink(deps: Deps, trx: Transaction<DB>, caseId: string, redirectUrl: string | null, ttlMs: number): Promise<string> {
  const token = randomBytes(24).toString("base64url");
  await insertKycLink(trx, { tokenHash: hashLinkToken(token), caseId, redirectUrl, expiresAt: new Date(deps.clock.now().getTime() + ttlMs) });
  return `${deps.config.publicUrl}/kyc/${token}`;
}
