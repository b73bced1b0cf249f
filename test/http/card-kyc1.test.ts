// KYC_1 for card customers: POST /v4/kyc/start gives the hosted KYC page; the sandbox vendor's
// decision on the submitted page raises the customer to KYC_1 (names lock) or records DENIED.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { registerCustomer, createCardHarness } from "../support/card-customer.js";
import type { Harness } from "../support/harness.js";

let h: Harness;
let merchantId: string;
before(async () => {
  ({ h, merchantId } = await createCardHarness());
});
after(async () => h?.close());

/** The KYC validity of a store without payment-intent settings (src/app/kyc/kyc-cases.ts). */
const DEFAULT_KYC_VALIDITY_DAYS = 365;

const PNG = Buffer.from("89504e470d0a1a0a0000000d49484452", "hex");

/** Submits the hosted KYC page as a browser form would without its script (multipart; a passport needs no back, which is ignored). */
async function submitPage(url: string, lastName: string) {
  const boundary = "----rampart-test-boundary";
  const fields = { firstName: "Ada", lastName, birthDate: "1990-05-20", documentType: "passport", documentNumber: "X1234567", country: "DE", nationality: "DE", consent: "yes" };
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  for (const f of ["documentFront", "documentBack", "selfie"]) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${f}"; filename="${f}.png"\r\nContent-Type: image/png\r\n\r\n`), PNG, Buffer.from("\r\n"));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return h.app.inject({
    method: "POST",
    url: new URL(url).pathname,
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
    payload: Buffer.concat(parts),
  });
}

test("KYC_1: start gives the hosted page; an approved submission raises the level and locks the names", async () => {
  const who = await registerCustomer(h.app, merchantId);
  const start = await h.app.inject({ method: "POST", url: "/v4/kyc/start?platform=COMMON", headers: who.headers });
  assert.equal(start.statusCode, 200, start.body);
  const { id, url } = start.json() as { id: string; url: string };
  assert.match(url, /\/kyc\/[A-Za-z0-9_-]+$/);
  assert.match(id, /^kyc_/);
  const again = await h.app.inject({ method: "POST", url: "/v4/kyc/start", headers: who.headers });
  assert.equal(again.json().id, id, "a second start reuses the open case");

  const before = (await h.app.inject({ method: "GET", url: "/v2/customer/kyc/data", headers: who.headers })).json();
  assert.equal(before.daysToExpireKyc, null, "no approval yet");
  const page = await h.app.inject({ method: "GET", url: new URL(url).pathname });
  assert.equal(page.statusCode, 200);
  const submitted = await submitPage(url, "Lovelace");
  assert.equal(submitted.statusCode, 303, submitted.body);

  const data = (await h.app.inject({ method: "GET", url: "/v2/customer/kyc/data", headers: who.headers })).json();
  assert.equal(data.kycLevel, "KYC_1");
  assert.equal(data.kyc1ClientData.status, "APPROVED");
  assert.equal(data.daysToExpireKyc, DEFAULT_KYC_VALIDITY_DAYS, "the approval's validity, in days");
  h.clock.advance(36 * 3600_000);
  // The access token has expired by then: take a new one with the refresh token.
  const refreshed = await h.app.inject({ method: "POST", url: "/oauth/token", headers: { "content-type": "application/x-www-form-urlencoded" }, payload: `grant_type=refresh_token&refresh_token=${encodeURIComponent(who.refreshToken)}` });
  assert.equal(refreshed.statusCode, 200, refreshed.body);
  who.headers.authorization = `Bearer ${refreshed.json().access_token}`;
  const later = (await h.app.inject({ method: "GET", url: "/v2/customer/kyc/data", headers: who.headers })).json();
  assert.equal(later.daysToExpireKyc, DEFAULT_KYC_VALIDITY_DAYS - 1, "counts down, a started day counting whole");
  const rename = await h.app.inject({ method: "PATCH", url: "/v2/customer/profile", headers: who.headers, payload: { firstName: "Grace" } });
  assert.equal(rename.statusCode, 403, "names are locked from KYC_1 on");
  const done = await h.app.inject({ method: "POST", url: "/v4/kyc/start", headers: who.headers });
  assert.deepEqual(done.json(), { id, url: null }, "KYC_1 already valid: no new case");
});

test("KYC_1 rejected by the vendor is DENIED with the reason; the level stays KYC_0", async () => {
  const who = await registerCustomer(h.app, merchantId);
  const { url } = (await h.app.inject({ method: "POST", url: "/v4/kyc/start", headers: who.headers })).json() as { url: string };
  assert.equal((await submitPage(url, "Reject")).statusCode, 303);
  const data = (await h.app.inject({ method: "GET", url: "/v2/customer/kyc/data", headers: who.headers })).json();
  assert.equal(data.kycLevel, "KYC_0");
  assert.equal(data.kyc1ClientData.status, "DENIED");
  assert.match(data.kyc1ClientData.reason, /Reject/);
});

test("KYC_1 needs KYC_0 first, and a token", async () => {
  const who = await registerCustomer(h.app, merchantId, { survey: false });
  const r = await h.app.inject({ method: "POST", url: "/v4/kyc/start", headers: who.headers });
  assert.equal(r.statusCode, 403);
  assert.equal(r.json().error, "KYC_LEVEL_REQUIRED");
  assert.equal((await h.app.inject({ method: "POST", url: "/v4/kyc/start" })).statusCode, 401);
});
