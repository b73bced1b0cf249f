// Expires ledger holds whose expiresAt has passed, a bounded batch per run.
import { expireDueHolds } from "../app/ledger/ledger.js";
import type { WorkerTask } from "./worker-task.js";

export const expireHoldsTask: WorkerTask = {
  name: "ledger.expire_holds",
  runOnce: (deps) => expireDueHolds(deps),
};
