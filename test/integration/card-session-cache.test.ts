// Bearer sessions of the /v3 dialect are checked through a per-process cache that the database keeps
// exact with NOTIFY at commit. These tests revoke sessions and change KYC levels behind the API's back
// (as another process or an operator's SQL would) and check the cache is used and never outlives a change.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import type { Harness } from "../support/harness.js";
import { type ChannelFollower, followChannel } from "../support/notifications.js";
import { addCard, type CardCustomer, registerCustomer, createCardHarness } from "../support/card-customer.js";

let h: Harness;
let merchantId: string;
let customers: ChannelFollower;

before(async () => {
  ({ h, merchantId } = await createCardHarness());
  customers = await followChannel(h.deps.database, "card_customer_changed");
});
after(async () => {
  await customers.stop();
  await h.close();
});

const wallets = (who: CardCustomer) => h.app.inject({ method: "GET", url: "/v2/wallets", headers: who.headers }).then((r) => r.statusCode);

async function withTriggerOff(trigger: string, table: string, fn: () => Promise<void>): Promise<void> {
  await sql.raw(`ALTER TABLE ${table} DISABLE TRIGGER ${trigger}`).execute(h.deps.database.db);
  try {
    await fn();
  } finally {
    await sql.raw(`ALTER TABLE ${table} ENABLE TRIGGER ${trigger}`).execute(h.deps.database.db);
  }
}

/** Sign-up changed the customer (KYC_0): until its own notification passes, reads are not cached. */
const customerIdOf = async (who: CardCustomer) => {
  const id = (await h.deps.database.db.selectFrom("card_customers").select("id").where("phone", "=", who.phone).executeTakeFirstOrThrow()).id;
  await customers.announced(id, 1);
  return id;
};

test("a session revoked anywhere is refused at once; without the notification the cached session is served", async () => {
  const who = await registerCustomer(h.app, merchantId);
  const customerId = await customerIdOf(who);
  assert.equal(await wallets(who), 200);
  await withTriggerOff("card_sessions_changed", "card_sessions", async () => {
    await sql`UPDATE card_sessions SET revoked_at = now() WHERE customer_id = ${customerId}`.execute(h.deps.database.db);
    assert.equal(await wallets(who), 200, "served from the cache (no notification is sent)");
  });
  const announced = customers.announced(customerId);
  await sql`UPDATE card_sessions SET revoked_at = now() + interval '1 second' WHERE customer_id = ${customerId}`.execute(h.deps.database.db);
  await announced;
  assert.equal(await wallets(who), 401, "the notification at commit dropped the session");
});

test("a KYC level lowered anywhere reaches the bearer check at once", async () => {
  const who = await registerCustomer(h.app, merchantId);
  const customerId = await customerIdOf(who);
  const cardId = await addCard(h.app, who, 4242424242424242);
  const offer = () =>
    h.app
      .inject({ method: "POST", url: "/v3/payin/offer", headers: who.headers, payload: { cardId, fromCurrency: "EUR", amount: 100, toCurrency: "USDT" } })
      .then((r) => (r.statusCode === 403 ? (assert.equal(r.json().error, "KYC_LEVEL_REQUIRED"), 403) : r.statusCode));
  assert.equal(await offer(), 200);
  await withTriggerOff("card_customers_changed", "card_customers", async () => {
    await sql`UPDATE card_customers SET kyc_level = 'NONE' WHERE id = ${customerId}`.execute(h.deps.database.db);
    assert.equal(await offer(), 200, "served from the cache (no notification is sent)");
    await sql`UPDATE card_customers SET kyc_level = 'KYC_0' WHERE id = ${customerId}`.execute(h.deps.database.db);
  });
  const announced = customers.announced(customerId);
  await sql`UPDATE card_customers SET kyc_level = 'NONE' WHERE id = ${customerId}`.execute(h.deps.database.db);
  await announced;
  assert.equal(await offer(), 403, "the notification at commit dropped the cached level");
});

test("sign-out in this process ends the token on the very next request", async () => {
  for (let i = 0; i < 20; i++) {
    const who = await registerCustomer(h.app, merchantId);
    assert.equal(await wallets(who), 200);
    assert.equal((await h.app.inject({ method: "POST", url: "/signout", headers: who.headers })).statusCode < 300, true);
    assert.equal(await wallets(who), 401);
  }
});
