// The writes of intent creates, in the caller's transaction: one create, or a batch of concurrent ones
// (app/intents/intent-batch.ts) at a constant number of statements whatever its size. Each step runs
// once for all of them: the payers' upsert with their approved cases (one statement), then the
// intents with their risk decisions, each inserted at the status its first step gives when that is
// decided already (KYC valid: 4; country not served: 10002) with both its events and its job
// (insertIntentsMovedOn), then the IPNs and the endpoint fan-out. Every create keeps its own
// effects, as a lone create has them.
//
// Left per create, in turn: the risk step of a merchant with rules (a read-and-count of its own; such a
// create runs alone under a savepoint, so that its block undoes only its own counts), recording a phone
// sent with the request, and an intent that needs KYC: the first create of a new payer opens the case
// the next ones in the batch then find, so those must follow one another.
import type { Insertable, Transaction } from "kysely";
import { isKycValid } from "../../core/kyc/kyc-case.js";
import type { RiskSignals } from "../../core/risk/signals.js";
import type { IntentRow, IntentSettingsRow } from "../../db/intents/intents.js";
import { type KycCaseRow, recordCasePhone } from "../../db/kyc/kyc.js";
import type { NewRiskDecision } from "../../db/risk/decisions.js";
import type { DB } from "../../db/schema.js";
import type { PaymentIntentsTable } from "../../db/tables/intents.js";
import type { Deps } from "../deps.js";
import { type KycPersonalData, createKycLink, markSubmitted, openCase, usersWithApprovedCases } from "../kyc/kyc-cases.js";
import { isTestMerchant } from "../merchants/test-mode.js";
import { assessPaymentRisk } from "../risk/assess-payment.js";
import { insertIntentsMovedOn, type IntentTransition, transitionIntent } from "./transition.js";

type Phone = { countryCode: string | null; number: string | null };

/** A create checked and priced, ready to write. */
export interface IntentDraft {
  /** The intent as inserted, but for its payer (found or created here by store and e-mail). */
  row: Omit<Insertable<PaymentIntentsTable>, "user_id"> & { id: string; merchant_id: string; store_id: string; email: string; created_at: Date };
  settings: IntentSettingsRow;
  signals: RiskSignals;
  /** The phone sent with the request, recorded on the payer's KYC case. */
  phone: Phone | null;
  /** KYC data sent with the request: an open case is submitted with it. */
  kycData: KycPersonalData | null;
  kycRedirectUrl: string | null;
  /** Runs last, in the transaction, with this create's outcome (the idempotent answer is stored there). */
  finish?: (trx: Transaction<DB>, written: WrittenIntent) => Promise<void>;
}

export interface WrittenIntent {
  intent: IntentRow;
  kycUrl: string | null;
  /** The case submitted with the request's KYC data: it goes to the vendor after commit. */
  submitted: KycCaseRow | null;
}

/** Writes the drafts' intents; answers in the order of `drafts`. A risk block throws (RiskBlockedError). */
export async function writeIntents(deps: Deps, trx: Transaction<DB>, drafts: readonly IntentDraft[]): Promise<WrittenIntent[]> {
  const decisions: NewRiskDecision[] = [];
  for (const d of drafts) {
    // A merchant without rules: nothing is read or written here (the rules are cached).
    const risk = await assessPaymentRisk(deps, trx, { merchantId: d.row.merchant_id, flow: "intent", paymentId: d.row.id, signals: d.signals });
    if (risk) decisions.push(risk.record);
  }
  // The payers, with their approved cases (read for the refused ones too: one statement for all).
  const { userIds, approved } = await usersWithApprovedCases(deps, trx, drafts.map((d) => ({ storeId: d.row.store_id, email: d.row.email })), "KYC_1");
  const notServed = (n: number) => drafts[n]!.row.country != null && !drafts[n]!.settings.served_countries.includes(drafts[n]!.row.country!);
  const all = drafts.map((_, n) => n);
  const refused = all.filter(notServed);
  const served = all.filter((n) => !notServed(n));
  const validOf = (n: number) => {
    const c = approved.get(userIds[n]!);
    return c && isKycValid(c, drafts[n]!.row.created_at) ? c : undefined;
  };
  const ready = served.filter((n) => validOf(n) !== undefined);
  for (const n of ready) {
    const phone = drafts[n]!.phone;
    if (phone) await recordCasePhone(trx, validOf(n)!.id, phone);
  }
  // Whose first step is decided already is inserted at the status it reaches (transition.ts): written once.
  const first = (n: number): IntentTransition | undefined => {
    const settings = drafts[n]!.settings;
    if (notServed(n)) return { action: "refuse_country", actor: "system", data: { country: drafts[n]!.row.country }, settings };
    const valid = validOf(n);
    return valid && { action: "kyc_already_valid", actor: "system", set: { kyc_case_id: valid.id }, settings };
  };
  // Nobody else can see the new rows before commit: they need no lock.
  const created = await insertIntentsMovedOn(
    deps,
    trx,
    drafts.map((d, n) => ({ row: { ...d.row, user_id: userIds[n]! }, first: first(n) })),
    decisions,
  );
  for (const c of created) {
    // Test twins' payments are not counted: the counters are live volume (test mode, issue 19).
    if (!(await isTestMerchant(deps, c.merchant_id, trx))) deps.metrics.paymentCreated(trx, "intent");
  }
  const out: WrittenIntent[] = new Array(drafts.length);
  for (const n of [...refused, ...ready]) out[n] = { intent: created[n]!, kycUrl: null, submitted: null };
  for (const n of served.filter((m) => validOf(m) === undefined)) out[n] = await requireKyc(deps, trx, created[n]!, drafts[n]!);
  for (const [n, d] of drafts.entries()) await d.finish?.(trx, out[n]!);
  return out;
}

/** The payer's open KYC case (a new one if none), submitted with the request's data, and a link to it. */
async function requireKyc(deps: Deps, trx: Transaction<DB>, created: IntentRow, d: IntentDraft): Promise<WrittenIntent> {
  let kycCase: KycCaseRow = await openCase(deps, trx, created.user_id, "KYC_1");
  if (d.phone) await recordCasePhone(trx, kycCase.id, d.phone);
  if (d.kycData && kycCase.status === "open") kycCase = await markSubmitted(deps, trx, kycCase.id, d.kycData);
  const intent = await transitionIntent(deps, trx, created, { action: "require_kyc", actor: "system", set: { kyc_case_id: kycCase.id }, settings: d.settings });
  const link = await createKycLink(deps, trx, kycCase.id, d.kycRedirectUrl, d.settings.kyc_window_seconds * 1000);
  return { intent, kycUrl: link, submitted: kycCase.status === "submitted" ? kycCase : null };
}
