import type { ColumnType, Generated } from "kysely";

export type TestMessageChannel = "sms" | "email";

/** Test mode's message inbox (migration 0077_f): texts sent to a test twin's customers, the newest 200 per twin. */
interface TestMessagesTable {
  /** int8: a string, as every bigint column. */
  seq: Generated<string>;
  merchant_id: string;
  channel: TestMessageChannel;
  recipient: string;
  /** The e-mail's subject; null for an SMS. */
  subject: ColumnType<string | null, string | null | undefined, never>;
  body: string;
  created_at: Date;
}

export interface TestModeTables {
  test_messages: TestMessagesTable;
}
