// The payments explorer's CSV download, shared by GET /admin/v1/payments.csv and the dashboard's
// download button. Rows are read one keyset batch at a time and streamed (csv-cells.ts).
import type { FastifyReply } from "fastify";
import type { Deps } from "../../app/deps.js";
import { exportPayments, type PaymentListItem, type PaymentQuery } from "../../app/payments/payment-explorer.js";
import { fiatScale } from "../../core/money/currencies.js";
import { formatMinor } from "../../core/money/decimal.js";
import { csvLine, sendCsvStream } from "./csv-cells.js";

/** Each column: its header and its cell. The trader is the operator's business: the merchant's export leaves it out. */
const COLUMNS: [string, (p: PaymentListItem) => string | null][] = [
  ["dialect", (p) => p.dialect],
  ["id", (p) => p.id],
  ["created_at", (p) => p.createdAt.toISOString()],
  ["status", (p) => p.status],
  ["merchant_id", (p) => p.merchantId],
  ["merchant_name", (p) => p.merchantName],
  ["store_id", (p) => p.storeId],
  ["trader_id", (p) => p.traderId],
  ["external_id", (p) => p.externalId],
  ["payer", (p) => p.payer],
  ["fiat_amount", (p) => formatMinor(BigInt(p.fiatMinor), fiatScale(p.fiatCurrency))],
  ["fiat_currency", (p) => p.fiatCurrency],
  ["crypto_amount_minor", (p) => p.cryptoMinor],
  ["crypto_currency", (p) => p.cryptoCurrency],
  ["crypto_network", (p) => p.cryptoNetwork],
  ["risk", (p) => p.risk],
];

/** The operator's export (every tenant) or a merchant's (its query names the merchant; no trader column). */
export function sendPaymentsCsv(reply: FastifyReply, deps: Deps, query: PaymentQuery, audience: "operator" | "merchant" = "operator") {
  const columns = audience === "operator" ? COLUMNS : COLUMNS.filter(([name]) => name !== "trader_id");
  const batches = exportPayments(deps, query); // a bad filter throws here: a 400, not a broken download
  return sendCsvStream(
    reply,
    "payments.csv",
    columns.map(([name]) => name),
    batches,
    (p) => csvLine(columns.map(([, cell]) => cell(p))),
  );
}
