// Traders: their API keys (`rtr_<id>_<secret>`, hashed like merchant keys) and their requisites.
import { asciiLower, asciiUpper } from "../../core/shared/ascii-case.js";
import { generateKey, hashKey, keyMatches, parseKey, type ParsedKey } from "../../core/crypto/api-keys.js";
import { AppError } from "../../core/shared/errors.js";
import { findBank, findActiveTraderKey, findTrader, insertTrader, insertTraderKey } from "../../db/trading/traders.js";
import { insertRequisite, lockRequisiteAccount, updateRequisiteLimits } from "../../db/trading/requisites.js";
import { isUuid } from "../../core/shared/uuid.js";
import type { Deps } from "../deps.js";
import { checkRequisiteFields } from "./methods.js";

export const TRADER_KEY_PREFIX = "rtr";

/** `test`: a test trader, whose requisites serve only test twins' pay-ins (test mode, issue 19). */
export async function createTrader(deps: Deps, name: string, key: ParsedKey = generateKey(TRADER_KEY_PREFIX), id = deps.ids.prefixed("trd"), test = false) {
  // One transaction: no trader without its key, and an operator's audit entry commits with both.
  await deps.database.db.transaction().execute(async (trx) => {
    await insertTrader(trx, { id, name, test });
    await insertTraderKey(trx, { id: key.id, traderId: id, keyHash: hashKey(key.key), label: name });
  });
  return { traderId: id, traderKey: key.key };
}

/** x-trader-key: unknown and revoked keys take the same constant-time path as wrong ones. */
export async function authenticateTrader(deps: Deps, presented: string | undefined): Promise<{ traderId: string; traderKeyId: string }> {
  if (!presented) throw new AppError("unauthorized", { message: "Missing x-trader-key header" });
  const parsed = parseKey(TRADER_KEY_PREFIX, presented);
  const row = parsed ? await findActiveTraderKey(deps.database.db, parsed.id) : undefined;
  if (!keyMatches(presented, row?.key_hash ?? null) || !row) throw new AppError("unauthorized", { message: "Invalid trader key" });
  return { traderId: row.trader_id, traderKeyId: row.id };
}

interface RequisiteInput {
  id?: string;
  traderId: string;
  bank: string;
  method: string;
  ownerName: string;
  number?: string | null;
  sbpPhone?: string | null;
  maxOpenPayins?: number;
  dailyVolumeLimitMinor?: bigint | null;
  monthlyVolumeLimitMinor?: bigint | null;
  enabled?: boolean;
}

export async function createRequisite(deps: Deps, r: RequisiteInput): Promise<string> {
  // Traders are never deleted, so the row found here is still there at the insert.
  if (!(await findTrader(deps.database.db, r.traderId))) throw new AppError("not_found", { field: "traderId", message: "No such trader" });
  const bank = await findBank(deps.database.db, asciiUpper(r.bank));
  if (!bank) throw new AppError("bank_not_available", { field: "bank" });
  const method = asciiLower(r.method);
  if (!bank.methods.includes(method)) throw new AppError("method_not_available", { field: "method", details: { method } });
  // The method's catalogue entry says which details it needs and their form (a card number, a phone, an IBAN).
  await checkRequisiteFields(deps.database.db, method, { number: r.number, sbpPhone: r.sbpPhone });
  const id = r.id ?? deps.ids.uuid();
  // In a transaction, as every operator write: its audit entry commits with it (db/audit/audit-scope.ts).
  const row = {
    id,
    trader_id: r.traderId,
    bank_code: bank.code,
    method,
    owner_name: r.ownerName,
    number: r.number ?? null,
    sbp_phone: r.sbpPhone ?? null,
    fiat_currency: bank.fiat_currency,
    enabled: r.enabled ?? true,
    max_open_payins: r.maxOpenPayins ?? 10,
    daily_volume_limit_minor: r.dailyVolumeLimitMinor?.toString() ?? null,
    monthly_volume_limit_minor: r.monthlyVolumeLimitMinor?.toString() ?? null,
  };
  await deps.database.db.transaction().execute(async (trx) => {
    // One account, one requisite: on two, the same amount could be given twice to one card, and a
    // payer's transfer could not tell which pay-in it pays (found by fuzzing, across two traders).
    const held = await lockRequisiteAccount(trx, { bankCode: row.bank_code, method, number: row.number, sbpPhone: row.sbp_phone });
    if (held) {
      throw new AppError("conflict", { field: row.number !== null ? "number" : "sbpPhone", message: `This account is already requisite ${held.id} of trader ${held.trader_id}.` });
    }
    await insertRequisite(trx, row);
  });
  return id;
}

interface RequisiteLimits {
  /** Active pay-ins at once on the requisite. */
  maxOpenPayins: number;
  /** Fiat minor units per UTC day / month over pay-ins created on it; null: no limit. */
  dailyVolumeLimitMinor: bigint | null;
  monthlyVolumeLimitMinor: bigint | null;
}

/** Replaces a requisite's limits; the next allocation reads them (open pay-ins keep running). */
export async function setRequisiteLimits(deps: Deps, traderId: string, requisiteId: string, limits: RequisiteLimits): Promise<void> {
  // In a transaction, as every operator write: its audit entry commits with it (db/audit/audit-scope.ts).
  const found = isUuid(requisiteId) && (await deps.database.db.transaction().execute((trx) => updateRequisiteLimits(trx, { id: requisiteId, traderId, ...limits })));
  if (!found) throw new AppError("not_found", { message: "Requisite not found" });
}
