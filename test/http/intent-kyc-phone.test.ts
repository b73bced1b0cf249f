// phoneCountryCode / phoneNumber of a payment intent's create are kept on the user's KYC case and shown
// in the operator's review (issue 13): they were validated and dropped.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { type Json, jsonCall, operatorHeader } from "../support/json-call.js";
import { INTENT_RATES_ENV, configureStore, freshEmail, intentBody, kycFields } from "../support/intents.js";

let h: Harness;
let A: MerchantFixture;
let operatorKey: string;

before(async () => {
  h = await createHarness({ env: INTENT_RATES_ENV });
  A = await createMerchant(h.deps);
  await configureStore(h, A.storeId);
  operatorKey = await createOperatorKey(h.deps, "test");
});
after(async () => h?.close());

const create = async (over: Record<string, unknown>) => {
  const r = await jsonCall(h.app, "POST", "/payment/intent", { "x-api-key": A.apiKey }, intentBody(A.storeId, over));
  assert.equal(r.status, 201, r.text);
  return r.json;
};
const admin = async (url: string) => {
  const r = await jsonCall(h.app, "GET", url, operatorHeader(operatorKey));
  assert.equal(r.status, 200, r.text);
  return r.json;
};

test("the phone sent with the create is on the KYC case in the operator's review queue and case view", async () => {
  const email = freshEmail();
  // Sent before the documents: the open case takes it, and a later create of the same user updates it.
  assert.equal((await create({ email, phoneCountryCode: "+49", phoneNumber: "15112345678" })).status, 2);
  const c = await create({ email, phoneCountryCode: "34", phoneNumber: "612345678", ...kycFields("Review") });
  assert.equal(c.status, 3, "manual review");

  const queued = ((await admin("/admin/v1/kyc/reviews?limit=100")).items as Json[]).find((i) => i.email === email);
  assert.ok(queued, "the case is in the review queue");
  assert.equal(queued.phoneCountryCode, "+34");
  assert.equal(queued.phoneNumber, "612345678");

  // In review, the case keeps the phone it is being reviewed with.
  await create({ email, phoneCountryCode: "1", phoneNumber: "5550100" });
  const detail = await admin(`/admin/v1/kyc/cases/${queued.id}`);
  assert.deepEqual([detail.case.phoneCountryCode, detail.case.phoneNumber], ["+34", "612345678"]);
});
