// SQL for test mode's message inbox (migration 0077_f).
import type { Db } from "./schema.js";
import type { TestMessageChannel } from "./tables/test-mode.js";

export interface NewTestMessage {
  merchantId: string;
  channel: TestMessageChannel;
  recipient: string;
  subject: string | null;
  body: string;
  createdAt: Date;
}

/** Records one message, then drops the twin's messages older than its newest `keep` (run in one transaction). */
export async function insertTestMessage(db: Db, m: NewTestMessage, keep: number): Promise<void> {
  await db
    .insertInto("test_messages")
    .values({ merchant_id: m.merchantId, channel: m.channel, recipient: m.recipient, subject: m.subject, body: m.body, created_at: m.createdAt })
    .execute();
  const oldestKept = await db
    .selectFrom("test_messages")
    .select("seq")
    .where("merchant_id", "=", m.merchantId)
    .orderBy("seq", "desc")
    .offset(keep - 1)
    .limit(1)
    .executeTakeFirst();
  if (oldestKept) await db.deleteFrom("test_messages").where("merchant_id", "=", m.merchantId).where("seq", "<", oldestKept.seq).execute();
}

/** One page of a twin's messages, newest first (keyset by seq); read limit + 1 to know whether more follow. */
export async function listTestMessages(db: Db, f: { merchantId: string; channel?: TestMessageChannel | undefined; beforeSeq?: string | undefined; limit: number }) {
  let q = db
    .selectFrom("test_messages")
    .select(["seq", "channel", "recipient", "subject", "body", "created_at"])
    .where("merchant_id", "=", f.merchantId)
    .orderBy("seq", "desc")
    .limit(f.limit);
  if (f.channel) q = q.where("channel", "=", f.channel);
  if (f.beforeSeq) q = q.where("seq", "<", f.beforeSeq);
  return q.execute();
}

/** Deletes the twin's messages to these recipients (a card customer's erasure); returns how many went. */
export async function deleteTestMessagesTo(db: Db, merchantId: string, recipients: string[]): Promise<number> {
  if (recipients.length === 0) return 0;
  const r = await db.deleteFrom("test_messages").where("merchant_id", "=", merchantId).where("recipient", "in", recipients).executeTakeFirst();
  return Number(r.numDeletedRows);
}
