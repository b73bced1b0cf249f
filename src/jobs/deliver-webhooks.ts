// Sends due webhooks and IPNs (first attempts and retries) and records every attempt, through one
// rolling delivery pool per process (per Deps).
import type { Deps } from "../app/deps.js";
import { createDeliveryPool, type DeliveryPool } from "../app/outbox/deliver-webhooks.js";
import type { WorkerTask } from "./worker-task.js";

const pools = new WeakMap<Deps, DeliveryPool>();
function pool(deps: Deps): DeliveryPool {
  let p = pools.get(deps);
  if (!p) pools.set(deps, (p = createDeliveryPool(deps)));
  return p;
}

export const deliverWebhooksTask: WorkerTask = {
  name: "deliver-webhooks",
  runOnce: (deps) => pool(deps).runOnce(),
  drain: (deps) => pools.get(deps)?.drain() ?? Promise.resolve(),
};
