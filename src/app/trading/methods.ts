// The payment-method catalogue: the operator lists and extends it (and the banks that offer its
// methods); a pay-in create and a new requisite are checked against it. An unknown method is a 400
// (INVALID_METHOD in the trading dialect), a known one switched off is 403 method_not_available.
import { AppError } from "../../core/shared/errors.js";
import { type RequisiteField, requisiteFieldsProblem, requisiteMismatch, type RequisiteFieldName } from "../../core/trading/requisite-fields.js";
import type { Db } from "../../db/schema.js";
import { findAnyBank, findMethod, listMethods, saveBank, unknownMethods, upsertMethod } from "../../db/trading/methods.js";
import type { Deps } from "../deps.js";
import { tradingBankChanging, tradingMethodChanging } from "./catalogue-cache.js";

interface TradingMethod {
  code: string;
  name: string;
  requisiteFields: RequisiteField[];
  enabled: boolean;
}

const view = (r: { code: string; name: string; requisite_fields: unknown; enabled: boolean }): TradingMethod => ({
  code: r.code,
  name: r.name,
  requisiteFields: r.requisite_fields as RequisiteField[],
  enabled: r.enabled,
});

export async function tradingMethods(deps: Deps): Promise<TradingMethod[]> {
  return (await listMethods(deps.database.db)).map(view);
}

/** Adds a method or replaces one (name, requisite fields, on/off). */
export async function saveTradingMethod(deps: Deps, m: TradingMethod): Promise<TradingMethod> {
  const problem = requisiteFieldsProblem(m.requisiteFields);
  if (problem) throw new AppError("validation_failed", { field: "requisiteFields", message: problem });
  // In a transaction, as every operator write: its audit entry commits with it (db/audit/audit-scope.ts).
  await deps.database.db
    .transaction()
    .execute((trx) => {
      tradingMethodChanging(deps, m.code);
      return upsertMethod(trx, { code: m.code, name: m.name, requisiteFields: JSON.stringify(m.requisiteFields), enabled: m.enabled });
    });
  return m;
}

/** Adds a bank or replaces its name, methods (each in the catalogue) and switch; its currency is fixed. */
export async function saveTradingBank(deps: Deps, b: { code: string; name: string; methods: string[]; fiatCurrency: string; enabled: boolean }): Promise<void> {
  const db = deps.database.db;
  const unknown = await unknownMethods(db, b.methods);
  if (unknown.length > 0) throw new AppError("validation_failed", { field: "methods", message: `Not in the method catalogue: ${unknown.join(", ")}` });
  const existing = await findAnyBank(db, b.code);
  if (existing && existing.fiat_currency !== b.fiatCurrency) {
    throw new AppError("validation_failed", { field: "fiatCurrency", message: `Bank ${b.code} trades in ${existing.fiat_currency}; its currency cannot change` });
  }
  await db.transaction().execute((trx) => {
    tradingBankChanging(deps, b.code);
    return saveBank(trx, b);
  });
}

/** A new requisite's details against its method's fields. */
export async function checkRequisiteFields(db: Db, method: string, values: Record<RequisiteFieldName, string | null | undefined>): Promise<void> {
  const m = await findMethod(db, method);
  if (!m) throw new AppError("validation_failed", { field: "method", message: `Unknown method "${method}"` });
  const mismatch = requisiteMismatch(view(m).requisiteFields, values);
  if (mismatch) throw new AppError("validation_failed", { field: mismatch.field, message: mismatch.message });
}
