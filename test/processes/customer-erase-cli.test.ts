// `rampart customer erase` as an operator runs it: bin/rampart.js in its own process. --help and bad
// input need no database: usage on stdout, or a message naming the problem with the usage and exit 2.
// On PostgreSQL, sharing the test's database: a payer of a paid payment intent (KYC fields, e-mail, IP,
// phone, the bank transfer's payer name and IBAN) is erased; every one of those fields then holds the
// erasure marker while the payment keeps its amount and status and the ledger keeps every entry,
// `rampart ledger verify` stays clean, an audit entry names the CLI user, a pg_dump holds none of the
// person's values and another payer of the store keeps theirs. Running it again says the person was
// erased before; an unknown person exits 1. Every record class the use case erases is tested on both
// databases in test/integration/customer-erasure.test.ts.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import { ERASED } from "../../src/core/privacy/erasure.js";
import { sandboxTransfer } from "../support/bank-feed.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness, TEST_SECRET_KEY } from "../support/harness.js";
import { INTENT_RATES_ENV, configureStore, intentBody } from "../support/intents.js";
import { jsonCall } from "../support/json-call.js";
import { runCli } from "../support/run-cli.js";
import { usePostgres } from "../support/test-db.js";

const skip = usePostgres() ? false : "needs PostgreSQL (set DATABASE_URL): the CLI process shares the test's database";

/** The person erased: each value distinctive enough to look for in a dump. */
const ZOE = {
  email: "zoe.cli-erasure.wexford@example.com",
  ip: "198.51.100.143",
  firstName: "Zoelinde",
  lastName: "Wexfordsson",
  documentNumber: "ZW4471902",
  phoneNumber: "699123457",
  payerName: "Zoelinde Wexfordsson",
  payerIban: "DE02120300000000202051",
};
/** Another payer of the same store: nothing of theirs may change. */
const KEEP = { email: "kept.payer.cli@example.com", lastName: "Keptwellsby", payerName: "Konrad Keptwellsby", payerIban: "FR7630006000011234567890189" };

let h: Harness;
let M: MerchantFixture;
let zoeIntent: string;
let keepIntent: string;

/** A payment intent with KYC fields in the create, paid by bank transfer from `payer`. */
async function paidIntent(over: Record<string, unknown>, payer: { name: string; iban: string }): Promise<string> {
  const created = await jsonCall(h.app, "POST", "/payment/intent", { "x-api-key": M.apiKey }, intentBody(M.storeId, over));
  assert.equal(created.status, 201, created.text);
  const id = created.json.paymentIntentId as string;
  const ins = (await jsonCall(h.app, "GET", `/payment/intent/${id}/instructions`, { "x-api-key": M.apiKey })).json;
  const paid = await sandboxTransfer(h.app, { apiKey: M.apiKey }, { reference: ins.bankTransfer.reference, amount: ins.fiatAmount, currency: "EUR", payerName: payer.name, payerIban: payer.iban });
  assert.equal(paid.json.outcome, "paid", paid.text);
  return id;
}

const kyc = (firstName: string, lastName: string, documentNumber: string) => ({
  firstName,
  lastName,
  birthDate: "1988-07-14",
  documentType: "passport",
  documentNumber,
  documentCountry: "ES",
  nationality: "ES",
});

before(async () => {
  if (skip) return;
  h = await createHarness({ env: INTENT_RATES_ENV });
  M = await createMerchant(h.deps);
  await configureStore(h, M.storeId);
  zoeIntent = await paidIntent(
    { ...kyc(ZOE.firstName, ZOE.lastName, ZOE.documentNumber), email: ZOE.email, ip: ZOE.ip, phoneCountryCode: "+34", phoneNumber: ZOE.phoneNumber },
    { name: ZOE.payerName, iban: ZOE.payerIban },
  );
  keepIntent = await paidIntent({ ...kyc("Konrad", KEEP.lastName, "KP0000001"), email: KEEP.email }, { name: KEEP.payerName, iban: KEEP.payerIban });
});
after(async () => {
  await h?.close();
});

test("rampart customer --help and bad input need no database: usage, or the problem named and exit 2", async () => {
  const help = await runCli(["customer", "--help"], {});
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /Usage: rampart customer erase --store <store-id> --email <e-mail>/);
  assert.match(help.stdout, /--card-customer/);
  assert.match(help.stdout, /--payer-user-id/);
  assert.match(help.stdout, /Exit 0: erased/);
  const bad: [string[], RegExp][] = [
    [["customer", "erase"], /name the person one way/],
    [["customer", "erase", "--email", "a@b.example"], /--email needs --store/],
    [["customer", "erase", "--card-customer", "nope"], /--card-customer must be the customer's uuid or its number/],
    [["customer", "forget", "--card-customer", "1"], /unknown subcommand/],
    [["customer", "erase", "--emial", "a@b.example"], /Unknown option '--emial'/],
  ];
  // Each is its own process; they share nothing, so they run side by side.
  const results = await Promise.all(bad.map(([args]) => runCli(args, {})));
  bad.forEach(([args, message], i) => {
    const r = results[i]!;
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, message, args.join(" "));
    assert.match(r.stderr, /Usage: rampart customer erase/, `${args.join(" ")} shows the usage`);
    assert.equal(r.stdout, "", `${args.join(" ")} erases nothing`);
  });
});

test("rampart customer erase on PostgreSQL: the person's fields hold the marker, the books stay, the audit names the CLI user", { skip }, async () => {
  const db = h.deps.database.db;
  const env = { DATABASE_URL: h.testDb.url!, RAMPART_SECRET_KEY: TEST_SECRET_KEY };
  const ledgerRows = async () => {
    const r = await sql<{ transfers: string; entries: string }>`
      SELECT (SELECT count(*) FROM ledger_transfers) AS transfers, (SELECT count(*) FROM ledger_entries) AS entries`.execute(db);
    return r.rows[0]!;
  };
  const ledgerBefore = await ledgerRows();
  assert.ok(Number(ledgerBefore.entries) > 0, "the paid intents posted to the ledger");

  const unknown = await runCli(["customer", "erase", "--store", M.storeId, "--email", "nobody.at.all@example.com"], env);
  assert.equal(unknown.code, 1, unknown.stdout + unknown.stderr);
  assert.match(unknown.stderr, /No personal data of this person is stored/);

  // The e-mail as the person wrote it to the operator: case and spaces do not matter.
  const r = await runCli(["customer", "erase", "--store", M.storeId, "--email", ` ${ZOE.email.toUpperCase()} `, "--by", "dpo@shop"], env);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^erasing intent email \.\.\.$/m);
  for (const line of [/^ {2}kyc_users: 1$/m, /^ {2}kyc_cases: 1$/m, /^ {2}payment_intents: 1$/m, /^ {2}bank_transfers: 1$/m]) assert.match(r.stdout, line);
  const done = /^done: audit entry (\d+), subject (person:[0-9a-f]{32})$/m.exec(r.stdout);
  assert.ok(done, r.stdout);

  const intent = await db.selectFrom("payment_intents").select(["email", "ip", "status", "fiat_minor", "kyc_case_id"]).where("id", "=", zoeIntent).executeTakeFirstOrThrow();
  assert.deepEqual({ email: intent.email, ip: intent.ip }, { email: ERASED, ip: ERASED });
  assert.equal(intent.status, 5, "the payment keeps its status");
  assert.equal(intent.fiat_minor, "10000", "and its amount");
  const kycCase = await db
    .selectFrom("kyc_cases")
    .select(["user_id", "first_name", "last_name", "birth_date", "document_type", "document_number", "nationality", "phone_number"])
    .where("id", "=", intent.kyc_case_id!)
    .executeTakeFirstOrThrow();
  const { user_id: kycUser, ...kycFieldsLeft } = kycCase;
  assert.deepEqual(kycFieldsLeft, {
    first_name: ERASED,
    last_name: ERASED,
    birth_date: ERASED,
    document_type: ERASED,
    document_number: ERASED,
    nationality: ERASED,
    phone_number: ERASED,
  });
  const user = await db.selectFrom("kyc_users").select("email").where("id", "=", kycUser).executeTakeFirstOrThrow();
  assert.equal(user.email, `${ERASED}:${kycUser}`, "the KYC user's e-mail (unique per store) is the marker with its id");
  const transfers = await db.selectFrom("bank_transfers").select(["payer_name", "payer_iban"]).where("intent_id", "=", zoeIntent).execute();
  assert.deepEqual(transfers, [{ payer_name: ERASED, payer_iban: ERASED }]);

  const audit = await sql<{ actor: string; action: string; subject: string; details: { actorName: string; records: Record<string, number> } }>`
    SELECT actor, action, subject, details FROM audit_log WHERE id = ${done[1]}::bigint`.execute(db);
  const entry = audit.rows[0];
  assert.ok(entry, `audit entry ${done[1]} is stored`);
  assert.equal(entry.actor, "cli:dpo@shop");
  assert.equal(entry.action, "customer.erase");
  assert.equal(entry.subject, done[2]);
  assert.equal(entry.details.actorName, "dpo@shop");
  assert.equal(entry.details.records.payment_intents, 1);

  assert.deepEqual(await ledgerRows(), ledgerBefore, "the ledger keeps every transfer and entry");
  const verify = await runCli(["ledger", "verify"], env);
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  assert.match(verify.stdout, /^OK: /m);

  const { stdout: dump } = await promisify(execFile)("pg_dump", ["--data-only", "--no-owner", h.testDb.url!], { maxBuffer: 256 * 1024 * 1024 });
  for (const v of Object.values(ZOE)) assert.equal(dump.includes(v), false, `the dump still holds ${JSON.stringify(v)}`);
  for (const v of Object.values(KEEP)) assert.equal(dump.includes(v), true, `the other payer lost ${JSON.stringify(v)}`);
  const kept = await db.selectFrom("payment_intents").select("email").where("id", "=", keepIntent).executeTakeFirstOrThrow();
  assert.equal(kept.email, KEEP.email);

  const again = await runCli(["customer", "erase", "--store", M.storeId, "--email", ZOE.email, "--by", "dpo@shop"], env);
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.match(again.stdout, /this person was erased before/);
  assert.match(again.stdout, /nothing left to erase/);
  assert.match(again.stdout, new RegExp(`subject ${done[2]}$`, "m"), "a repeat is recorded under the same subject");
});
