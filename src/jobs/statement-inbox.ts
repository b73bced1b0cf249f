// Imports the statement files banks drop into RAMPART_BANK_INBOX_DIR (app/bank-statements/statement-inbox.ts).
import { pollStatementInbox } from "../app/bank-statements/statement-inbox.js";
import type { WorkerTask } from "./worker-task.js";

export const statementInboxTask: WorkerTask = {
  name: "statement-inbox",
  runOnce: (deps) => pollStatementInbox(deps),
};
