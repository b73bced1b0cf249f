// Webhook message statuses and the actions that move them. Delivery moves pending → delivered|failed
// (a retry keeps it pending); an operator's redelivery moves delivered|failed back to pending.
import { assertNever } from "../shared/assert-never.js";
import { IllegalTransitionError } from "../shared/errors.js";

type MessageStatus = "pending" | "delivered" | "failed";
type MessageAction = "deliver" | "retry" | "give_up" | "redeliver";

export function transitionMessage(from: MessageStatus, action: MessageAction): MessageStatus {
  switch (action) {
    case "deliver":
    case "retry":
    case "give_up":
      if (from !== "pending") break;
      return action === "deliver" ? "delivered" : action === "retry" ? "pending" : "failed";
    case "redeliver":
      if (from === "pending") break;
      return "pending";
    default:
      return assertNever(action, "message action");
  }
  throw new IllegalTransitionError({ entity: "webhook message", action, currentStatus: from, message: `Cannot ${action.replace("_", " ")} a webhook message that is ${from}` });
}
