// `rampart customer erase` and POST /admin/v1/customers/erase: a person's right to erasure
// (docs/operations.md#erasure-and-retention). In one transaction every personal field Rampart holds
// about the person becomes the erasure marker (or goes, for traces with no record value: sessions,
// codes, velocity rows); the ledger and the payment records the law requires stay, with their amounts,
// statuses and times. Stored document files are deleted after the commit (and by a files.delete job
// written in the transaction, should this process die first). An append-only audit entry records who
// erased, which record classes and how many rows, and when; it names the person only by a keyed hash,
// which also lets a second erasure of the same person answer "already erased" instead of 404.
import { createHmac } from "node:crypto";
import type { Transaction } from "kysely";
import { derivedKey } from "../../core/crypto/derived-key.js";
import { ERASED, type Replacement, fieldReplacements, scrubPayerInfo, scrubText, valueReplacements } from "../../core/privacy/erasure.js";
import { AppError } from "../../core/shared/errors.js";
import { appendAudit, auditEntriesFor } from "../../db/audit/audit-log.js";
import {
  bankTransfersOf,
  cardCustomerBy,
  cardPaymentsOf,
  cardsOf,
  intentsOfUsers,
  kycCasesOf,
  kycUsersByEmail,
  kycUsersByIdentity,
  merchantExists,
  tradingPayinsOfPayer,
} from "../../db/privacy/erasure-find.js";
import { TEXT_TARGETS, type TextScope, rewriteText, textsHolding } from "../../db/privacy/erasure-text.js";
import {
  deletePayerStats,
  deleteVelocityTraces,
  eraseBankTransferPayers,
  eraseCardCustomer,
  eraseCards,
  eraseIntents,
  eraseKycCases,
  eraseKycUsers,
  eraseRefundCreditors,
  setTradingPayinExtra,
} from "../../db/privacy/erasure-write.js";
import type { DB } from "../../db/schema.js";
import { deleteTestMessagesTo } from "../../db/test-messages.js";
import { kycIdentityOf } from "../card/card-kyc.js";
import { panBox } from "../card/card-vault.js";
import { cardPaymentOrderingKey } from "../card/card-payment-events.js";
import type { Deps } from "../deps.js";
import { secretKeys } from "../secret/secret-boxes.js";
import { tradingPayinChanging } from "../trading/payin-read-cache.js";
import { deleteStoredFiles, enqueueFileDeletion } from "./stored-files.js";

/** The ways the data identifies a person. */
export type PersonRef =
  /** A payer of payment intents (and their KYC) in one store, by the e-mail the merchant sent. */
  | { kind: "intent_email"; storeId: string; email: string }
  /** A card-dialect customer by uuid or by the number the clients show as customerId. */
  | { kind: "card_customer"; customerId: string }
  /** A trading payer: the merchant's own user id, sent as extra.payerInfo.userId. */
  | { kind: "trading_payer"; merchantId: string; userId: string };

/** Who erases: an operator key (the admin API) or a person at the command line. */
type Eraser = { kind: "operator"; operatorId: string; name: string; ip: string | null } | { kind: "cli"; user: string };

interface ErasureResult {
  /** The keyed hash the audit log names the person by. */
  subject: string;
  /** The person had been erased before: the counts are what this run still found (usually all zero). */
  alreadyErased: boolean;
  /** Rows changed per record class in this run. */
  records: Record<string, number>;
  /** Refund orders still being paid out to the person keep their creditor until the bank closes them. */
  keptOpenRefunds: number;
  auditId: string;
}

const ACTION = "customer.erase";

/** The subject under the current secret and, during a rotation, the previous one (which may have written it). */
function subjectsOf(deps: Deps, ref: PersonRef): string[] {
  const text =
    ref.kind === "intent_email" ? `intent_email\n${ref.storeId}\n${ref.email.trim().toLowerCase()}`
    : ref.kind === "card_customer" ? `card_customer\n${ref.customerId}`
    : `trading_payer\n${ref.merchantId}\n${ref.userId}`;
  return secretKeys(deps.config).map((secret) => {
    return `person:${createHmac("sha256", derivedKey(secret, "erasure-subject")).update(text).digest("hex").slice(0, 32)}`;
  });
}

/** What was found about the person before anything changed. */
interface Footprint {
  kycUserIds: string[];
  caseIds: string[];
  files: string[];
  intentIds: string[];
  payinIds: string[];
  merchantIds: Set<string>;
  orderingKeys: string[];
  paymentIds: string[];
  replacements: Replacement[];
  values: (string | null)[];
}

function emptyFootprint(): Footprint {
  return { kycUserIds: [], caseIds: [], files: [], intentIds: [], payinIds: [], merchantIds: new Set(), orderingKeys: [], paymentIds: [], replacements: [], values: [] };
}

async function addKycUsers(trx: Transaction<DB>, f: Footprint, userIds: string[]): Promise<void> {
  f.kycUserIds.push(...userIds);
  const kyc = await kycCasesOf(trx, userIds);
  f.values.push(...kyc.emails.filter((e) => !e.startsWith(`${ERASED}:`)));
  for (const c of kyc.cases) {
    f.caseIds.push(c.id);
    f.files.push(...c.files);
    f.values.push(...c.values);
  }
  for (const i of await intentsOfUsers(trx, userIds)) {
    f.intentIds.push(i.id);
    f.paymentIds.push(i.id);
    f.orderingKeys.push(i.id);
    f.merchantIds.add(i.merchant_id);
    f.values.push(i.email, i.ip);
  }
}

export async function eraseCustomer(deps: Deps, ref: PersonRef, by: Eraser): Promise<ErasureResult> {
  const subjects = subjectsOf(deps, ref);
  const now = deps.clock.now();
  const result = await deps.database.db.transaction().execute(async (trx) => {
    const f = emptyFootprint();
    const records: Record<string, number> = {};
    let found = false;
    let card: Awaited<ReturnType<typeof cardCustomerBy>> = null;
    let payins: { id: string; extra: string }[] = [];

    switch (ref.kind) {
      case "intent_email": {
        const users = await kycUsersByEmail(trx, ref.storeId, ref.email.trim());
        found = users.length > 0;
        await addKycUsers(trx, f, users);
        break;
      }
      case "card_customer": {
        card = await cardCustomerBy(trx, ref.customerId);
        if (!card) break;
        found = true;
        f.merchantIds.add(card.merchant_id);
        f.values.push(card.phone, card.email, card.first_name, card.last_name, card.residence_street);
        if (card.first_name && card.last_name) f.values.push(`${card.first_name} ${card.last_name}`);
        for (const c of await cardsOf(trx, card.id)) f.values.push(c.holder, c.billing_address);
        for (const p of await cardPaymentsOf(trx, card.id)) {
          f.paymentIds.push(p.id);
          f.orderingKeys.push(cardPaymentOrderingKey(p.offer_id));
        }
        await addKycUsers(trx, f, await kycUsersByIdentity(trx, kycIdentityOf(card.id)));
        break;
      }
      case "trading_payer": {
        if (!(await merchantExists(trx, ref.merchantId))) break;
        payins = await tradingPayinsOfPayer(trx, ref.merchantId, ref.userId);
        found = payins.length > 0;
        f.merchantIds.add(ref.merchantId);
        for (const p of payins) {
          f.payinIds.push(p.id);
          f.paymentIds.push(p.id);
          f.orderingKeys.push(p.id);
          const info = (JSON.parse(p.extra) as { payerInfo?: Record<string, unknown> }).payerInfo ?? {};
          for (const k of ["ip", "userAgent", "fingerprint"]) f.values.push(typeof info[k] === "string" ? info[k] : null);
        }
        f.replacements.push(...fieldReplacements("userId", ref.userId));
        break;
      }
    }

    const previous = (await Promise.all(subjects.map((s) => auditEntriesFor(trx, s, ACTION, 1)))).flat();
    const alreadyErased = previous.length > 0;
    if (!found && !alreadyErased) throw new AppError("customer_not_found");
    // A repeat is recorded under the subject it was first erased by (a rotation may have changed it since).
    const subject = previous[0]?.subject ?? subjects[0]!;

    const transfers = await bankTransfersOf(trx, f.intentIds, f.payinIds);
    for (const t of transfers) f.values.push(t.payer_name, t.payer_iban);

    records.kyc_users = await eraseKycUsers(trx, f.kycUserIds);
    records.kyc_cases = await eraseKycCases(trx, f.caseIds, now);
    records.kyc_document_files = f.files.length;
    records.payment_intents = await eraseIntents(trx, f.intentIds, now);
    if (card) {
      const c = await eraseCardCustomer(trx, { id: card.id, merchantId: card.merchant_id, phone: card.phone }, now);
      records.card_customers = c.customers;
      records.card_sessions_revoked = c.sessions;
      records.card_verification_codes = c.codes;
      const enc = panBox(deps).encrypt(ERASED);
      records.card_cards = await eraseCards(trx, card.id, { enc, keyId: enc.split(".")[1]! }, now);
      // A test twin's customer: the codes and e-mail links test mode's inbox kept for its phone and e-mail.
      records.test_messages = await deleteTestMessagesTo(trx, card.merchant_id, [card.phone, card.email].filter((v): v is string => v !== null));
    }
    let payinCount = 0;
    for (const p of payins) {
      const extra = scrubPayerInfo(p.extra, "person");
      if (extra !== null) {
        tradingPayinChanging(deps, p.id);
        await setTradingPayinExtra(trx, p.id, extra, now);
        payinCount++;
      }
    }
    if (ref.kind === "trading_payer") {
      records.trading_payins = payinCount;
      records.risk_payer_stats = await deletePayerStats(trx, ref.merchantId, ref.userId);
    }
    records.bank_transfers = await eraseBankTransferPayers(trx, transfers.map((t) => t.id));
    const refunds = await eraseRefundCreditors(trx, transfers.map((t) => t.id));
    records.refund_orders = refunds.erased;

    const replacements = [...valueReplacements(f.values), ...f.replacements];
    records.risk_velocity_events = await deleteVelocityTraces(trx, f.paymentIds, replacements.filter((r) => r.to === ERASED).map((r) => r.from));
    const scope: TextScope = { merchantIds: [...f.merchantIds], orderingKeys: f.orderingKeys, intentIds: f.intentIds, payinIds: f.payinIds, caseIds: f.caseIds };
    const needles = replacements.map((r) => r.from);
    for (const [name, target] of Object.entries(TEXT_TARGETS)) {
      let n = 0;
      for (const row of await textsHolding(trx, target, scope, needles)) {
        const text = scrubText(row.text, replacements);
        if (text === null) continue;
        await rewriteText(trx, target, row.ctid, text);
        n++;
      }
      records[name] = n;
    }

    if (f.files.length > 0) await enqueueFileDeletion(deps, trx, f.files, "erase");
    // The key's name as it is now: a key renamed or revoked later still leaves the entry readable.
    const actorName = by.kind === "operator" ? by.name : by.user;
    const details = { kind: ref.kind, actorName, alreadyErased, records, keptOpenRefunds: refunds.keptOpen };
    const actor = by.kind === "operator" ? `operator:${by.operatorId}` : `cli:${by.user}`;
    const auditId = await appendAudit(trx, { actor, action: ACTION, subject, details, ip: by.kind === "operator" ? by.ip : null, at: now });
    return { subject, alreadyErased, records, keptOpenRefunds: refunds.keptOpen, auditId, files: f.files };
  });
  // The job written above deletes them too; doing it now means the files are gone when the operator reads the answer.
  await deleteStoredFiles(deps, result.files);
  const { files: _files, ...answer } = result;
  return answer;
}
