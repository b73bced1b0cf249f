// Test mode's message inbox (issue 19) in a live installation: the SMS codes and e-mail links sent to a
// test twin's card customers are readable by the merchant with its test key (GET /merchant/v1/test-messages),
// so a test integration confirms a customer's e-mail by itself. A live key is refused, another merchant's
// twin sees none of them, a live merchant's texts are never recorded, the inbox keeps a bounded tail,
// and erasing a test customer removes what was sent to it.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Deps } from "../../src/app/deps.js";
import { sendCustomerEmail, sendCustomerSms } from "../../src/app/merchants/test-messages.js";
import { eraseCustomer } from "../../src/app/privacy/erase-customer.js";
import type { EmailSender, SmsSender } from "../../src/app/ports.js";
import { insertTestMessage } from "../../src/db/test-messages.js";
import { CARD_TEST_ENV, registerCustomer, seedCardPairs } from "../support/card-customer.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { LIVE_ENV, createHarness, type Harness } from "../support/harness.js";
import { jsonCall } from "../support/json-call.js";

let h: Harness;
let live: MerchantFixture;
let other: MerchantFixture;
let testKey: string;
let otherTestKey: string;
/** What the live SMS and e-mail senders were asked to send. */
const liveSent: string[] = [];

function recordLiveSenders(deps: Deps): void {
  deps.ports.sms = { name: "live-sms", send: async (phone) => void liveSent.push(`sms ${phone}`) } satisfies SmsSender;
  deps.ports.email = { name: "live-email", send: async (to) => void liveSent.push(`email ${to}`) } satisfies EmailSender;
}

async function testKeyOf(m: MerchantFixture): Promise<string> {
  const r = await jsonCall(h.app, "POST", "/merchant/v1/keys", { "x-api-key": m.apiKey }, { label: "integration", mode: "test" });
  assert.equal(r.status, 201, r.text);
  return r.json.apiKey as string;
}

async function twinOf(m: MerchantFixture): Promise<string> {
  return (await h.deps.database.db.selectFrom("merchants").select("id").where("test_of", "=", m.merchantId).executeTakeFirstOrThrow()).id;
}

interface InboxItem {
  messageId: string;
  channel: "sms" | "email";
  to: string;
  subject: string | null;
  text: string;
  createdAt: string;
}

async function inbox(key: string, query = "") {
  const r = await jsonCall(h.app, "GET", `/merchant/v1/test-messages${query}`, { "x-api-key": key });
  return { status: r.status, body: r.json as { items: InboxItem[]; nextCursor: string | null; error?: string }, text: r.text };
}

before(async () => {
  h = await createHarness({ env: { ...LIVE_ENV, RAMPART_FIXED_RATES: CARD_TEST_ENV.RAMPART_FIXED_RATES }, tweak: recordLiveSenders });
  live = await createMerchant(h.deps);
  other = await createMerchant(h.deps);
  await seedCardPairs(h.deps);
  testKey = await testKeyOf(live);
  otherTestKey = await testKeyOf(other);
});
after(async () => {
  await h?.close();
});

describe("test mode's message inbox", () => {
  test("a twin's card customer adds an e-mail; the merchant reads the link with its test key, follows it and the e-mail is confirmed", async () => {
    const who = await registerCustomer(h.app, await twinOf(live));
    const email = `ada.${Date.now()}@example.com`;
    const add = await h.app.inject({ method: "PUT", url: "/v2/mobile/email/add", headers: who.headers, payload: { email } });
    assert.equal(add.statusCode, 200, add.body);

    const r = await inbox(testKey);
    assert.equal(r.status, 200, r.text);
    const [newest, code] = r.body.items;
    assert.equal(newest?.channel, "email");
    assert.equal(newest?.to, email);
    assert.equal(newest?.subject, "Confirm your e-mail");
    assert.deepEqual([code?.channel, code?.to, code?.text], ["sms", who.phone, "Your confirmation code is 1234"]);

    const link = new URL(/(https?:\/\/\S+)/.exec(newest!.text)![1]!);
    const confirmed = await h.app.inject({ method: "GET", url: `${link.pathname}${link.search}` });
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    const profile = await h.app.inject({ method: "GET", url: "/v2/customer/profile", headers: who.headers });
    assert.equal(profile.json().confirmedEmail, true);

    assert.deepEqual((await inbox(testKey, "?channel=sms")).body.items.map((m) => m.channel), ["sms"]);
    assert.deepEqual(liveSent, [], "nothing went to a live sender");
  });

  test("a live key is refused with test_mode_only", async () => {
    const r = await inbox(live.apiKey);
    assert.equal(r.status, 403, r.text);
    assert.equal(r.body.error, "test_mode_only");
  });

  test("another merchant's test key sees none of the twin's messages", async () => {
    assert.ok((await inbox(testKey)).body.items.length > 0);
    const r = await inbox(otherTestKey);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.items, []);
  });

  test("a live merchant's texts go to the live senders and are never recorded", async () => {
    await sendCustomerSms(h.deps, live.merchantId, "+447700900555", "Your confirmation code is 654321");
    await sendCustomerEmail(h.deps, live.merchantId, "live@example.com", "Confirm your e-mail", "https://live.example/secret-link");
    assert.deepEqual(liveSent, ["sms +447700900555", "email live@example.com"]);
    const rows = await h.deps.database.db.selectFrom("test_messages").select("body").execute();
    assert.ok(rows.every((r) => !/654321|secret-link/.test(r.body)), "no live text stored");
    assert.equal((await h.deps.database.db.selectFrom("test_messages").select("seq").where("merchant_id", "=", live.merchantId).execute()).length, 0);
  });

  test("a text the inbox cannot keep is still sent: the send succeeds and the warning holds no text", async () => {
    // PostgreSQL refuses a NUL character in text, so this insert fails on the real database.
    const twin = await twinOf(live);
    const before = (await inbox(testKey)).body.items.length;
    await sendCustomerSms(h.deps, twin, "+447700900888", "Your nul-secret-code is 98\u0000765");
    const warned = h.logs.records().filter((r) => r.msg === "test message not kept in the inbox");
    assert.equal(warned.length, 1, h.logs.text);
    assert.equal(warned[0]!.merchantId, twin);
    assert.ok(!h.logs.text.includes("nul-secret-code"), "the text is not logged");
    assert.equal((await inbox(testKey)).body.items.length, before);
  });

  test("pages are bounded and keyset: limit, nextCursor, a bad cursor or limit is 400", async () => {
    const first = await inbox(testKey, "?limit=1");
    assert.equal(first.body.items.length, 1);
    assert.ok(first.body.nextCursor);
    const second = await inbox(testKey, `?limit=1&cursor=${first.body.nextCursor}`);
    assert.equal(second.body.items.length, 1);
    assert.ok(BigInt(second.body.items[0]!.messageId) < BigInt(first.body.items[0]!.messageId));
    assert.equal((await inbox(testKey, "?cursor=abc")).status, 400);
    assert.equal((await inbox(testKey, "?limit=101")).status, 400);
  });

  test("each write keeps only the twin's newest messages, and leaves other twins' alone", async () => {
    const twin = await twinOf(other);
    const keep = 3;
    for (let i = 1; i <= 5; i++) {
      await h.deps.database.db.transaction().execute((trx) => insertTestMessage(trx, { merchantId: twin, channel: "sms", recipient: "+447700900777", subject: null, body: `code ${i}`, createdAt: new Date() }, keep));
    }
    assert.deepEqual((await inbox(otherTestKey)).body.items.map((m) => m.text), ["code 5", "code 4", "code 3"]);
    assert.ok((await inbox(testKey)).body.items.length >= 2, "the live merchant's twin keeps its messages");
  });

  test("erasing a twin's card customer removes the messages sent to its phone and e-mail, and no one else's", async () => {
    const twin = await twinOf(live);
    const gone = await registerCustomer(h.app, twin, { survey: false });
    const kept = await registerCustomer(h.app, twin, { survey: false });
    const email = `erase.${Date.now()}@example.com`;
    assert.equal((await h.app.inject({ method: "PUT", url: "/v2/mobile/email/add", headers: gone.headers, payload: { email } })).statusCode, 200);
    const customer = await h.deps.database.db.selectFrom("card_customers").select("id").where("merchant_id", "=", twin).where("phone", "=", gone.phone).executeTakeFirstOrThrow();
    const sent = (await inbox(testKey, "?limit=100")).body.items;
    assert.ok(sent.some((m) => m.to === email) && sent.some((m) => m.to === gone.phone));

    const r = await eraseCustomer(h.deps, { kind: "card_customer", customerId: customer.id }, { kind: "cli", user: "dpo" });
    assert.equal(r.records.test_messages, 2, JSON.stringify(r.records));
    const left = (await inbox(testKey, "?limit=100")).body.items;
    assert.ok(left.every((m) => m.to !== email && m.to !== gone.phone), "nothing sent to the erased customer is left");
    assert.ok(left.some((m) => m.to === kept.phone), "another customer's messages stay");
  });
});
