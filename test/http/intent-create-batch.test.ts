// Concurrent intent creates of one process share one transaction and one commit (the write batcher in
// src/app/intents/intent-batch.ts). On PostgreSQL the test checks they really shared commits. Each request must still get its own answer: its own intent with its risk decision, events,
// timeout job and IPN; a 4xx for a bad or risk-blocked request, with nothing written for it; one
// intent for a key sent several times at once; one payer and one KYC case for an e-mail new to the
// store that arrives several times in one batch.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { hotStatementName } from "../../src/db/hot-statements.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { countingStatements } from "../support/statement-count.js";
import { configureStore, freshEmail, INTENT_RATES_ENV, intentBody, kycFields } from "../support/intents.js";

let h: Harness;
let A: MerchantFixture;
let B: MerchantFixture;
/** Without risk rules: its creates are written together, each step one statement for the batch. */
let C: MerchantFixture;

before(async () => {
  // Repeats of one Idempotency-Key wait for the owner however slow a loaded machine makes it (the 5 s
  // default answered 409 at load 36); the 409 after the wait is idempotency.test.ts's.
  h = await createHarness({ env: { ...INTENT_RATES_ENV, RAMPART_IDEMPOTENCY_WAIT_MS: "120000" } });
  A = await createMerchant(h.deps);
  B = await createMerchant(h.deps);
  await configureStore(h, A.storeId);
  await configureStore(h, B.storeId);
  C = await createMerchant(h.deps);
  await configureStore(h, C.storeId);
  // A's rule blocks disposable e-mails: such a create throws inside the batch's transaction.
  const rule = await h.app.inject({ method: "POST", url: "/merchant/v1/risk/rules", headers: { "x-api-key": A.apiKey }, payload: { name: "Disposable", weight: 100, spec: { kind: "disposable_email" } } });
  assert.equal(rule.statusCode, 201, rule.body);
});
after(async () => h?.close());

const create = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  h.app.inject({ method: "POST", url: "/payment/intent", headers: { "x-api-key": A.apiKey, ...headers }, payload: body });

/** Counts the commits sent while `fn` runs: fewer than the creates when they shared transactions. */
const countingCommits = <T>(fn: () => Promise<T>) => countingStatements(h, (text) => text.trim().toLowerCase() === "commit", fn);

test("concurrent creates share a transaction; each gets its own intent and rows, and a bad or blocked one fails alone", async () => {
  const plan: { body: Record<string, unknown>; status: number; error?: string }[] = [];
  for (let i = 0; i < 12; i++) plan.push({ body: intentBody(A.storeId, { fiatAmount: 100 + i, ipnUrl: `https://shop.example/ipn/${i}` }), status: 201 });
  plan.splice(3, 0, { body: intentBody(A.storeId, { walletAddress: "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6X" }), status: 400, error: "invalid_address" });
  plan.splice(6, 0, { body: intentBody(A.storeId, { email: "batch@mailinator.com" }), status: 403, error: "risk_blocked" });
  plan.splice(9, 0, { body: intentBody(B.storeId), status: 403, error: "store_mismatch" }); // B's store with A's key
  const blocksBefore = await h.deps.database.db.selectFrom("risk_decisions").select("id").where("merchant_id", "=", A.merchantId).where("decision", "=", "block").execute();

  const { result: answers, statements: commits } = await countingCommits(() => Promise.all(plan.map((p) => create(p.body))));

  const created: string[] = [];
  for (const [i, res] of answers.entries()) {
    const p = plan[i]!;
    assert.equal(res.statusCode, p.status, `request ${i}: ${res.body}`);
    if (p.error) {
      assert.equal(res.json().error, p.error, `request ${i}`);
      continue;
    }
    const id = res.json().paymentIntentId as string;
    created.push(id);
    const row = await h.deps.database.db.selectFrom("payment_intents").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    assert.deepEqual([row.merchant_id, row.store_id, row.email, row.fiat_minor, row.ipn_url], [A.merchantId, A.storeId, p.body.email, String(Number(p.body.fiatAmount) * 100), p.body.ipnUrl], `request ${i} got its own intent`);
    assert.equal(row.status, res.json().status);
    const decisions = await h.deps.database.db.selectFrom("risk_decisions").select("decision").where("flow", "=", "intent").where("payment_id", "=", id).execute();
    assert.deepEqual(decisions, [{ decision: "allow" }], `request ${i}: its risk decision stored once`);
    const events = await h.deps.database.db.selectFrom("payment_intent_events").select(["from_status", "to_status"]).where("intent_id", "=", id).orderBy("id").execute();
    assert.deepEqual(events.map((e) => [e.from_status, e.to_status]), [[null, 1], [1, row.status]]);
    assert.equal((await h.deps.database.db.selectFrom("jobs").select("id").where("key", "=", `intent.timeout:${id}:${row.status}`).execute()).length, 1, `request ${i}: its timeout job`);
    const ipn = await h.deps.database.db.selectFrom("webhook_messages").select("url").where("event_id", "=", `${id}.${row.status}`).execute();
    assert.deepEqual(ipn, [{ url: p.body.ipnUrl }], `request ${i}: its IPN`);
  }
  assert.equal(new Set(created).size, 12);
  for (const p of plan.filter((x) => x.error)) {
    const rows = await h.deps.database.db.selectFrom("payment_intents").select("id").where("email", "=", String(p.body.email)).execute();
    assert.deepEqual(rows, [], `nothing written for ${p.error}`);
  }
  const blocksAfter = await h.deps.database.db.selectFrom("risk_decisions").select("id").where("merchant_id", "=", A.merchantId).where("decision", "=", "block").execute();
  assert.equal(blocksAfter.length - blocksBefore.length, 1, "the refused attempt recorded once");
  // PGlite runs each statement in this thread, so requests rarely meet in its queue; PostgreSQL's round
  // trips let them pile up behind the batch in flight.
  if (h.deps.database.engine === "postgres") assert.ok(commits < created.length, `${created.length} creates took ${commits} commits: they were batched`);
});

test("duplicates in one batch: a key sent at once creates one intent; a new payer's e-mail twice gets one user and one KYC case", async () => {
  const keyed = intentBody(A.storeId);
  const email = freshEmail();
  const sameKey = [0, 1, 2].map(() => create(keyed, { "idempotency-key": "batch-dup-1" }));
  // Others first, so that the payer's creates queue behind the batches in flight and meet in one.
  const others = [0, 1, 2, 3].map(() => create(intentBody(A.storeId)));
  const samePayer = [200, 201, 202].map((fiatAmount) => create(intentBody(A.storeId, { email, fiatAmount })));
  const { result: [keyAnswers, payerAnswers, otherAnswers], statements: commits } = await countingCommits(() => Promise.all([Promise.all(sameKey), Promise.all(samePayer), Promise.all(others)]));
  for (const r of otherAnswers) assert.equal(r.statusCode, 201, r.body);

  for (const r of keyAnswers) assert.equal(r.statusCode, 201, r.body);
  assert.equal(new Set(keyAnswers.map((r) => r.body)).size, 1, "every answer to the key is the same intent");
  assert.equal((await h.deps.database.db.selectFrom("payment_intents").select("id").where("email", "=", String(keyed.email)).execute()).length, 1, "one intent for the key");
  const replay = await create(keyed, { "idempotency-key": "batch-dup-1" });
  assert.equal(replay.body, keyAnswers[0]!.body, "a later replay returns it too");

  for (const r of payerAnswers) assert.equal(r.statusCode, 201, r.body);
  const ids = payerAnswers.map((r) => r.json().paymentIntentId as string);
  assert.equal(new Set(ids).size, 3, "three intents");
  const users = await h.deps.database.db.selectFrom("kyc_users").select("id").where("store_id", "=", A.storeId).where("email", "=", email).execute();
  assert.equal(users.length, 1, "one payer");
  const intents = await h.deps.database.db.selectFrom("payment_intents").select(["user_id", "kyc_case_id", "status"]).where("id", "in", ids).execute();
  assert.deepEqual(new Set(intents.map((i) => i.user_id)), new Set([users[0]!.id]));
  const cases = await h.deps.database.db.selectFrom("kyc_cases").select("id").where("user_id", "=", users[0]!.id).execute();
  assert.equal(cases.length, 1, "one KYC case");
  assert.deepEqual(intents.map((i) => [i.kyc_case_id, i.status]), ids.map(() => [cases[0]!.id, 2]), "each waits on that case");
  if (h.deps.database.engine === "postgres") assert.ok(commits < 8, `8 creates took ${commits} commits: they were batched`);
});

test("a batch without risk rules writes each step once for all its creates: payers, intents moved on as inserted, jobs", async () => {
  const createC = (body: Record<string, unknown>) => h.app.inject({ method: "POST", url: "/payment/intent", headers: { "x-api-key": C.apiKey }, payload: body });
  // A payer whose KYC is valid: the vendor approves it after the first create.
  const known = freshEmail();
  const first = await createC(intentBody(C.storeId, { email: known, ...kycFields() }));
  assert.equal(first.statusCode, 201, first.body);
  assert.equal(first.json().status, 4);

  const plan: { body: Record<string, unknown>; status: number }[] = [];
  for (let i = 0; i < 12; i++) plan.push({ body: intentBody(C.storeId, { email: known.toUpperCase(), fiatAmount: 50 + i, ipnUrl: `https://shop.example/c-ipn/${i % 3}` }), status: 4 });
  plan.splice(4, 0, { body: intentBody(C.storeId, { email: known, countryIsoCode: "US" }), status: 10002 });
  plan.splice(8, 0, { body: intentBody(C.storeId), status: 2 });
  const steps = { commit: 0, payers: 0, intents: 0, jobs: 0, moves: 0, approvedReads: 0 };
  const intentInserts = new Set<string>();
  const payerUpserts = new Set<string>();
  const { result: answers } = await countingStatements(
    h,
    (text) => {
      const t = text.toLowerCase();
      if (t.trim() === "commit") steps.commit++;
      if (t.includes("insert into kyc_users")) {
        steps.payers++;
        payerUpserts.add(text);
      }
      if (t.includes("insert into payment_intents")) {
        steps.intents++;
        intentInserts.add(text);
      }
      if (t.trimStart().startsWith("insert into jobs")) steps.jobs++;
      if (t.includes("update payment_intents p")) steps.moves++;
      if (t.includes('from "kyc_cases"') && t.includes('"status" = ')) steps.approvedReads++;
      return false;
    },
    () => Promise.all(plan.map((p) => createC(p.body))),
  );

  const orderNumbers = new Set<string>();
  for (const [i, res] of answers.entries()) {
    const p = plan[i]!;
    assert.equal(res.statusCode, 201, `request ${i}: ${res.body}`);
    assert.equal(res.json().status, p.status, `request ${i}`);
    const id = res.json().paymentIntentId as string;
    const row = await h.deps.database.db.selectFrom("payment_intents").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    assert.deepEqual([row.status, row.fiat_minor, row.email], [p.status, String(Number(p.body.fiatAmount) * 100), String(p.body.email).toLowerCase()], `request ${i} got its own intent`);
    const events = await h.deps.database.db.selectFrom("payment_intent_events").select(["from_status", "to_status", "actor"]).where("intent_id", "=", id).orderBy("id").execute();
    assert.deepEqual(events, [{ from_status: null, to_status: 1, actor: "merchant" }, { from_status: 1, to_status: p.status, actor: "system" }], `request ${i}: its events`);
    const jobs = await h.deps.database.db.selectFrom("jobs").select("key").where("key", "like", `intent.timeout:${id}:%`).execute();
    assert.deepEqual(jobs.map((j) => j.key), p.status === 10002 ? [] : [`intent.timeout:${id}:${p.status}`], `request ${i}: its timeout job`);
    const ipn = await h.deps.database.db.selectFrom("webhook_messages").select(["url", "query"]).where("event_id", "=", `${id}.${p.status}`).execute();
    assert.deepEqual(ipn, p.body.ipnUrl ? [{ url: p.body.ipnUrl, query: { paymentIntentId: id, paymentIntentStatus: String(p.status) } }] : [], `request ${i}: its IPN`);
    if (p.status === 4) {
      assert.ok(row.order_number && !orderNumbers.has(row.order_number), `request ${i}: an order number of its own`);
      orderNumbers.add(row.order_number!);
      assert.deepEqual([row.bank_iban, row.kyc_case_id !== null, row.window_ends_at !== null], ["ES9121000418450200051332", true, true], `request ${i}: the bank details and its case`);
    } else assert.equal(row.order_number, null);
  }
  // A create whose first step is decided (KYC valid, country not served) is inserted at the status it
  // reaches, its job in the same statement: only the payer who needs KYC is updated (moved on after its
  // case opens) and has its job inserted on its own.
  assert.deepEqual([steps.moves, steps.jobs], [1, 1], "one update and one job insert of their own: the intent waiting on KYC's");
  // The payers' approved cases come back with the payers' upsert: no read of its own.
  assert.equal(steps.approvedReads, 0, "the approved cases are read by the payers' statement");
  // Batches of every size send one text for each step, which PostgreSQL prepares once per connection:
  // the intents' insert, as a VALUES list, was a new text, parsed and planned again, at every batch
  // size (issue 16).
  assert.ok(steps.intents > 0, "the intents' insert was seen");
  assert.equal(intentInserts.size, 1, "one text for the intents' insert whatever the batch's size");
  assert.ok(hotStatementName([...intentInserts][0]!) !== undefined, "the intents' insert is a prepared (hot) statement");
  assert.deepEqual(
    [...payerUpserts].map((text) => hotStatementName(text) !== undefined),
    [true],
    "one text for the payers' upsert with their approved cases, a prepared (hot) statement",
  );
  // Each step once per batch; before, once per create.
  if (h.deps.database.engine === "postgres") {
    assert.ok(steps.commit < plan.length, `${plan.length} creates took ${steps.commit} commits: they were batched`);
    for (const step of ["payers", "intents"] as const) assert.ok(steps[step] <= steps.commit, `${step}: ${steps[step]} statements for ${steps.commit} batches`);
  }
});
