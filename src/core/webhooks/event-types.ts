// The event types a merchant's webhook endpoint may subscribe to (issue 19): one family per kind of
// object, one type per status it enters. An endpoint lists exact types, `<family>.*` patterns or `*`.
// Built from the status tables, so a new status is a new type without a second list to keep.
import { INTENT_STATUS_NAMES } from "../intents/intent-status.js";
import { TRADING_PAYIN_STATUSES } from "../trading/payin-status.js";
import { WITHDRAWAL_STATUSES } from "../withdrawals/withdrawal-status.js";

/** The card dialect's envelope events (docs/webhooks.md): its statuses seen from the merchant's side. */
export const CARD_PAYMENT_EVENT_TYPES = ["card.payment.pending", "card.payment.succeeded", "card.payment.failed"] as const;

const EVENT_FAMILIES = {
  "trading.payin": TRADING_PAYIN_STATUSES.map((s) => `trading.payin.${s}`),
  payment_intent: Object.values(INTENT_STATUS_NAMES).map((s) => `payment_intent.${s}`),
  "card.payment": [...CARD_PAYMENT_EVENT_TYPES],
  withdrawal: WITHDRAWAL_STATUSES.map((s) => `withdrawal.${s}`),
} as const satisfies Record<string, readonly string[]>;

/** Sent by "send a test event" only, to the one endpoint asked for; no endpoint subscribes to it. */
export const TEST_EVENT_TYPE = "webhook.test";

const KNOWN = new Set<string>(Object.values(EVENT_FAMILIES).flat());
const FAMILY_PATTERNS = new Set(Object.keys(EVENT_FAMILIES).map((f) => `${f}.*`));

/** Null when the entry is a known type, a family pattern or `*`. */
export function eventTypeProblem(entry: string): string | null {
  if (entry === "*" || FAMILY_PATTERNS.has(entry) || KNOWN.has(entry)) return null;
  return `Unknown event type ${JSON.stringify(entry.slice(0, 60))}: use a type such as trading.payin.closed, a family pattern such as withdrawal.*, or *`;
}

/** Whether an endpoint subscribed to `patterns` receives an event of `type`. */
export function subscribes(patterns: readonly string[], type: string): boolean {
  return patterns.some((p) => p === "*" || p === type || (p.endsWith(".*") && type.startsWith(p.slice(0, -1))));
}
