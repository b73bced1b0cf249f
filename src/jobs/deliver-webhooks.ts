// Sends due webhooks and IPNs (first attempts and retries) and records every attempt.
import { runWebhookDelivery } from "../app/outbox/deliver-webhooks.js";
import type { WorkerTask } from "./worker-task.js";

export const deliverWebhooksTask: WorkerTask = {
  name: "deliver-webhooks",
  runOnce: (deps) => runWebhookDelivery(deps),
};
