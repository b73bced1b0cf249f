// The manual review queue: cases the vendor sent to support. Support approves or rejects with a
// reason; the decision reaches intents and card customers through transitionCase (intents move 3 → 4 / 10001).
import { AppError } from "../../core/shared/errors.js";
import { findKycCaseWithUser, listKycEvents, listReviewCases, lockKycCase } from "../../db/kyc/kyc.js";
import type { Deps } from "../deps.js";
import { transitionCase } from "./kyc-cases.js";
import { pageOf, pageSize } from "../../core/shared/page-size.js";

export const MAX_REVIEW_PAGE = 100;

export async function reviewQueue(deps: Deps, opts: { limit?: number; after?: string } = {}) {
  const limit = pageSize(opts.limit, 50, MAX_REVIEW_PAGE);
  const rows = await listReviewCases(deps.database.db, limit + 1, opts.after);
  return pageOf(rows, limit, (c) => c.id);
}

/** A case with its audit trail. */
export async function kycCaseDetail(deps: Deps, caseId: string) {
  const c = await findKycCaseWithUser(deps.database.db, caseId);
  if (!c) throw new AppError("not_found", { message: "No such KYC case" });
  return { case: c, events: await listKycEvents(deps.database.db, caseId) };
}

export async function reviewCase(deps: Deps, caseId: string, decision: "approve" | "reject", operatorId: string, reason?: string) {
  return deps.database.db.transaction().execute(async (trx) => {
    const locked = await lockKycCase(trx, caseId);
    if (!locked) throw new AppError("not_found", { message: "No such KYC case" });
    return transitionCase(deps, trx, locked, decision === "approve" ? "support_approve" : "support_reject", "support", {
      actorId: operatorId,
      ...(reason !== undefined ? { reason } : {}),
    });
  });
}

/**
 * The case's n-th uploaded document from the file store, for the reviewer. Only keys recorded on the
 * case are read, so a request cannot name another case's (or any other) stored file.
 */
export async function readKycDocument(deps: Deps, caseId: string, n: number): Promise<{ data: Buffer; contentType: string }> {
  const c = await findKycCaseWithUser(deps.database.db, caseId);
  const key = c?.files[n];
  const file = key === undefined ? null : await deps.ports.files.get(key);
  if (!file) throw new AppError("not_found", { message: "No such document" });
  return file;
}
