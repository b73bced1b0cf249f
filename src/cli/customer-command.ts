// `rampart customer erase`: the operator's erasure on a person's request (app/privacy/erase-customer.ts),
// the same use case as POST /admin/v1/customers/erase.
import os from "node:os";
import { type PersonRef, eraseCustomer } from "../app/privacy/erase-customer.js";
import { AppError } from "../core/shared/errors.js";
import type { CommandRun } from "./command.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const USAGE = "Usage: rampart customer erase (--store <id> --email <e-mail> | --card-customer <uuid|number> | --merchant <uuid> --payer-user-id <id>)\n";

function fail(message: string): number {
  process.stderr.write(`${message}\n${USAGE}`);
  return 2;
}

/** The person the flags name, or an error message. */
function personOf(str: (k: string) => string | undefined): PersonRef | string {
  const given = ["email", "card-customer", "payer-user-id"].filter((k) => str(k) !== undefined);
  if (given.length !== 1) return "name the person one way: --email (with --store), --card-customer, or --payer-user-id (with --merchant)";
  if (str("email") !== undefined) {
    const storeId = str("store");
    if (!storeId) return "--email needs --store: e-mails identify a payer within one store";
    if (!/^[^\s@]{1,200}@[^\s@]{1,200}$/.test(str("email")!)) return "--email is not an e-mail address";
    return { kind: "intent_email", storeId, email: str("email")! };
  }
  if (str("card-customer") !== undefined) {
    const id = str("card-customer")!;
    if (!UUID.test(id) && !/^\d{1,18}$/.test(id)) return "--card-customer must be the customer's uuid or its number";
    return { kind: "card_customer", customerId: id.toLowerCase() };
  }
  const merchantId = str("merchant");
  if (!merchantId || !UUID.test(merchantId)) return "--payer-user-id needs --merchant <merchant uuid>: user ids are the merchant's own";
  const userId = str("payer-user-id")!;
  if (userId.length === 0 || userId.length > 200) return "--payer-user-id must be 1 to 200 characters";
  return { kind: "trading_payer", merchantId: merchantId.toLowerCase(), userId };
}

/** `rampart customer` once its arguments are parsed (its spec is in commands.ts). */
export const run: CommandRun = async (values, positionals, runtime) => {
  if (positionals[0] !== "erase" || positionals.length !== 1) return fail("unknown subcommand");
  const str = (k: string) => (typeof values[k] === "string" ? (values[k] as string).trim() : undefined);
  const person = personOf(str);
  if (typeof person === "string") return fail(person);
  const by = str("by") || os.userInfo().username;
  return runtime.withDeps(async (deps) => {
    process.stdout.write(`erasing ${person.kind.replace("_", " ")} ...\n`);
    try {
      const r = await eraseCustomer(deps, person, { kind: "cli", user: by });
      const changed = Object.entries(r.records).filter(([, n]) => n > 0);
      if (r.alreadyErased) process.stdout.write("this person was erased before; erasing again\n");
      for (const [cls, n] of changed) process.stdout.write(`  ${cls}: ${n}\n`);
      if (changed.length === 0) process.stdout.write("  nothing left to erase\n");
      if (r.keptOpenRefunds > 0) process.stdout.write(`  ${r.keptOpenRefunds} open refund order(s) keep the payer's name and IBAN until the bank closes them; erase again then\n`);
      process.stdout.write(`done: audit entry ${r.auditId}, subject ${r.subject}\n`);
      return 0;
    } catch (err) {
      if (err instanceof AppError && err.code === "customer_not_found") {
        process.stderr.write(`${err.message}\n`);
        return 1;
      }
      throw err;
    }
  });
};
