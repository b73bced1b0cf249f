// Test mode's message inbox (issue 19). A test twin's card customers get their SMS codes and e-mail
// links through the twin's sandbox ports, which send nothing and, in a live installation, log no text (a
// link is a bearer token), so every text sent through the test ports is recorded here for the merchant
// (GET /merchant/v1/test-messages and the portal's Test messages page). A live merchant's texts go to
// the configured vendors and are never recorded: they hold live customers' codes and links.
import { pageOf, pageSize, seqCursor } from "../../core/shared/page-size.js";
import { insertTestMessage, listTestMessages, type NewTestMessage } from "../../db/test-messages.js";
import type { TestMessageChannel } from "../../db/tables/test-mode.js";
import type { Deps } from "../deps.js";
import { portsFor } from "./test-mode.js";

/**
 * Each write keeps the twin's newest 200 messages. A count rather than an age (say 7 days): a test suite
 * in a loop can send thousands of texts in an hour, and an age bound would let them all pile up, while
 * a count holds every twin to a fixed size whatever its rate; the newest are the ones a test run reads
 * (an e-mail link lasts 24 hours, a code 10 minutes).
 */
export const TEST_MESSAGES_KEPT = 200;
export const MAX_TEST_MESSAGE_PAGE = 100;

/**
 * After the send, so it cannot undo it: a failed record is logged (without the text, which holds the code
 * or link) and the caller carries on, as the customer's code or link is already out and still works; the
 * merchant asks for another. Not in the transaction that stores the code: the send happens after it.
 */
async function record(deps: Deps, m: Omit<NewTestMessage, "createdAt">): Promise<void> {
  try {
    await deps.database.db.transaction().execute((trx) => insertTestMessage(trx, { ...m, createdAt: deps.clock.now() }, TEST_MESSAGES_KEPT));
  } catch (err) {
    deps.logger.warn({ merchantId: m.merchantId, channel: m.channel, err: (err as Error).message }, "test message not kept in the inbox");
  }
}

/** An SMS to one of the merchant's card customers, through its ports; recorded when those are the test ports. */
export async function sendCustomerSms(deps: Deps, merchantId: string, phone: string, text: string): Promise<void> {
  const ports = await portsFor(deps, merchantId);
  await ports.sms.send(phone, text);
  if (ports === deps.testPorts) await record(deps, { merchantId, channel: "sms", recipient: phone, subject: null, body: text });
}

/** An e-mail to one of the merchant's card customers, through its ports; recorded when those are the test ports. */
export async function sendCustomerEmail(deps: Deps, merchantId: string, to: string, subject: string, text: string): Promise<void> {
  const ports = await portsFor(deps, merchantId);
  await ports.email.send(to, subject, text);
  if (ports === deps.testPorts) await record(deps, { merchantId, channel: "email", recipient: to, subject, body: text });
}

/** One page of a twin's inbox, newest first (keyset pages by seq). A live merchant's is always empty. */
export async function testMessagesPage(deps: Deps, merchantId: string, q: { channel?: TestMessageChannel | undefined; cursor?: string | undefined; limit?: number | undefined }) {
  const limit = pageSize(q.limit, 50, MAX_TEST_MESSAGE_PAGE);
  const beforeSeq = seqCursor(q.cursor);
  const rows = await listTestMessages(deps.database.db, { merchantId, channel: q.channel, beforeSeq, limit: limit + 1 });
  return pageOf(rows, limit, (m) => m.seq);
}
