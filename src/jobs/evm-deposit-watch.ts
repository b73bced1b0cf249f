// Watches the EVM chain for trader deposits (app/trading/deposit-watcher.ts); a no-op unless
// RAMPART_CHAIN=evm with RAMPART_EVM_DEPOSIT_XPUB. Each run reads one bounded block range.
import { watchDeposits } from "../app/trading/deposit-watcher.js";
import type { WorkerTask } from "./worker-task.js";

export const evmDepositWatchTask: WorkerTask = {
  name: "evm.deposit_watch",
  runOnce: (deps) => watchDeposits(deps),
};
