// The hosted KYC page's use cases. A link token is the only credential: it is stored hashed, expires,
// and is single-use for submission (after that it only shows the case's status until it expires).
import type { Transaction } from "kysely";
import { type KycFileKind, type KycFormData, type KycPageState, KYC_MAX_FILE_BYTES, pageStateFor, sniffDocumentType } from "../../core/kyc/kyc-form.js";
import { AppError } from "../../core/shared/errors.js";
import { type KycCaseRow, findKycCase, findKycLink, lockKycLink, markKycLinkUsed } from "../../db/kyc/kyc.js";
import type { DB } from "../../db/schema.js";
import type { Deps } from "../deps.js";
import { hashLinkToken, markSubmitted, submitToVendor } from "./kyc-cases.js";

interface KycPageView {
  caseId: string;
  state: KycPageState;
  redirectUrl: string | null;
  reason: string | null;
}

export interface KycUpload {
  kind: KycFileKind;
  data: Buffer;
}

type LinkRow = NonNullable<Awaited<ReturnType<typeof findKycLink>>>;

function assertLive(link: LinkRow | undefined, now: Date): asserts link is LinkRow {
  if (!link || link.expires_at.getTime() <= now.getTime()) throw new AppError("kyc_link_invalid");
}

const view = (c: KycCaseRow, link: LinkRow): KycPageView => ({
  caseId: c.id,
  state: link.used_at === null && c.status === "open" ? "form" : pageStateFor(c.status) === "form" ? "expired" : pageStateFor(c.status),
  redirectUrl: link.redirect_url,
  reason: c.status === "rejected" ? c.reason : null,
});

/** What the page shows for a token: the form, or the case's status once submitted. */
export async function kycPageView(deps: Deps, token: string): Promise<KycPageView> {
  const link = await findKycLink(deps.database.db, hashLinkToken(token));
  assertLive(link, deps.clock.now());
  return view((await findKycCase(deps.database.db, link.case_id))!, link);
}

/**
 * Submits the page: stores the uploads through the file port, records the data on the case, burns
 * the token, then (after commit) asks the vendor. Its decision reaches waiting intents and card
 * customers through transitionCase.
 */
export async function submitKycPage(deps: Deps, token: string, data: KycFormData, uploads: KycUpload[]): Promise<KycPageView> {
  const tokenHash = hashLinkToken(token);
  const peek = await findKycLink(deps.database.db, tokenHash);
  assertLive(peek, deps.clock.now());
  if (peek.used_at !== null) throw new AppError("kyc_link_invalid", { message: "This verification link was already used." });

  const keys: string[] = [];
  for (const u of uploads) {
    if (u.data.length === 0 || u.data.length > KYC_MAX_FILE_BYTES) throw new AppError("validation_failed", { field: u.kind, message: "Each file must be at most 5 MB." });
    const type = sniffDocumentType(u.data);
    if (!type) throw new AppError("validation_failed", { field: u.kind, message: "Upload a PDF, PNG or JPEG file." });
    const key = `kyc/${peek.case_id}/${u.kind}-${deps.ids.uuid()}`;
    await deps.ports.files.put(key, u.data, type);
    keys.push(key);
  }

  const submitted = await deps.database.db.transaction().execute(async (trx: Transaction<DB>) => {
    const link = await lockKycLink(trx, tokenHash);
    assertLive(link, deps.clock.now());
    if (link.used_at !== null) throw new AppError("kyc_link_invalid", { message: "This verification link was already used." });
    await markKycLinkUsed(trx, tokenHash, deps.clock.now());
    return markSubmitted(deps, trx, link.case_id, { ...data, files: keys });
  });
  await submitToVendor(deps, submitted);
  return kycPageView(deps, token);
}
