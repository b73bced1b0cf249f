// A webhook per status a withdrawal enters, written in the transaction that changes it, to the
// merchant's own webhook endpoints, and to its webhook URL (its trading settings' webhookUrl) signed like
// its trading webhooks: the x-signature HMAC of the body with the API key that asked for the withdrawal.
// A withdrawal asked for in the portal has no API key to sign with, so only the endpoints get it. The body is
//   { id, type: "withdrawal.<status>", createdAt, data: the withdrawal }
// and the event id is stable per (withdrawal, status): the machine never re-enters a status, so a re-run is a no-op.
import type { Transaction } from "kysely";
import type { DB } from "../../db/schema.js";
import { findTradingSettings } from "../../db/trading/settings.js";
import type { WithdrawalRow } from "../../db/withdrawals/withdrawals.js";
import type { Deps } from "../deps.js";
import { publishMerchantEvents } from "../outbox/merchant-events.js";
import { enqueueWebhook } from "../outbox/outbox.js";
import { withdrawalView } from "./withdrawal-view.js";

export async function enqueueWithdrawalEvent(deps: Deps, trx: Transaction<DB>, w: WithdrawalRow): Promise<void> {
  // Traders have no webhook: they follow their withdrawals on the trader API.
  if (w.merchant_id === null) return;
  const id = `withdrawal.${w.id}.${w.status}`;
  const type = `withdrawal.${w.status}`;
  const createdAt = deps.clock.now();
  const data = withdrawalView(w);
  // The merchant's own webhook endpoints (merchant-events.ts) take it with or without a webhook URL.
  await publishMerchantEvents(trx, [{ merchantId: w.merchant_id, type, key: id, orderingKey: `withdrawal.${w.id}`, createdAt, data }]);
  if (w.api_key_id === null) return;
  const url = (await findTradingSettings(trx, w.merchant_id))?.webhook_url ?? null;
  if (url === null) return;
  await enqueueWebhook(trx, {
    merchantId: w.merchant_id,
    format: "trading",
    url,
    eventId: id,
    orderingKey: `withdrawal.${w.id}`,
    body: JSON.stringify({ id, type, createdAt: createdAt.toISOString(), data }),
    signingKeyRef: { kind: "api_key", apiKeyId: w.api_key_id },
  });
}
