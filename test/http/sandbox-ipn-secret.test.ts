// The sandbox store's IPN secret is printed with the sandbox credentials (`npm start`, `rampart seed`),
// and it is the secret IPNs are signed with, also after an operator rotated it (issue 13).
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { after, before, test } from "node:test";
import { seedSandbox } from "../../src/app/sandbox/seed.js";
import { printCredentials } from "../../src/cli/print-credentials.js";
import { createHarness, type Harness } from "../support/harness.js";
import { jsonCall, operatorHeader } from "../support/json-call.js";
import { INTENT_RATES_ENV, drain, intentBody, ipnStatuses } from "../support/intents.js";
import { type Receiver, startReceiver } from "../support/webhook-receiver.js";

let h: Harness;
let receiver: Receiver;

before(async () => {
  h = await createHarness({ env: INTENT_RATES_ENV });
  receiver = await startReceiver();
});
after(async () => {
  await receiver?.close();
  await h?.close();
});

/** What `npm start` prints, as a reader of the terminal would take the secret from it. */
async function printedIpnSecret(): Promise<{ secret: string; merchantKey: string; operatorKey: string }> {
  const creds = await seedSandbox(h.deps);
  const out = new PassThrough();
  let text = "";
  out.on("data", (c: Buffer) => (text += c.toString()));
  printCredentials(creds, out);
  const m = /^store ipn secret:\s+(\S+)$/m.exec(text);
  assert.ok(m, `the IPN secret line in:\n${text}`);
  return { secret: m[1]!, merchantKey: creds.merchantKey.key, operatorKey: creds.operatorKey.key };
}

async function ipnVerifiesWith(secret: string, merchantKey: string): Promise<void> {
  const c = await jsonCall(h.app, "POST", "/payment/intent", { "x-api-key": merchantKey }, intentBody("store_sandbox", { ipnUrl: `${receiver.url}/ipn` }));
  assert.equal(c.status, 201, c.text);
  await drain(h);
  const nowS = Math.floor(h.clock.now().getTime() / 1000);
  assert.deepEqual(ipnStatuses(receiver.received, c.json.paymentIntentId, secret, nowS), [2]);
}

test("the printed sandbox store IPN secret verifies its IPNs, and after a rotation the new one is printed", async () => {
  const first = await printedIpnSecret();
  await ipnVerifiesWith(first.secret, first.merchantKey);

  const rotated = await jsonCall(h.app, "POST", "/admin/v1/stores/store_sandbox/ipn-secret/rotate", operatorHeader(first.operatorKey), {});
  assert.equal(rotated.status, 200, rotated.text);
  const again = await printedIpnSecret();
  assert.equal(again.secret, rotated.json.ipnSecret, "a restart prints the secret in force, not the derived one");
  await ipnVerifiesWith(again.secret, again.merchantKey);
});
