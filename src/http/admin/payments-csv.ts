// The payments explorer's CSV download, shared by GET /admin/v1/payments.csv and the dashboard's
// download button. Rows are read one keyset batch at a time and streamed (csv-cells.ts).
import type { FastifyReply } from "fastify";
import type { Deps } from "../../app/deps.js";
import { exportPayments, type PaymentListItem, type PaymentQuery } from "../../app/payments/payment-explorer.js";
import { fiatScale } from "../../core/money/currencies.js";
import { formatMinor } from "../../core/money/decimal.js";
import { csvLine, sendCsvStream } from "./csv-cells.js";

const PAYMENTS_CSV_HEADER = [
  "dialect",
  "id",
  "created_at",
  "status",
  "merchant_id",
  "merchant_name",
  "store_id",
  "trader_id",
  "external_id",
  "payer",
  "fiat_amount",
  "fiat_currency",
  "crypto_amount_minor",
  "crypto_currency",
  "crypto_network",
  "risk",
];

const row = (p: PaymentListItem) =>
  csvLine([
    p.dialect,
    p.id,
    p.createdAt.toISOString(),
    p.status,
    p.merchantId,
    p.merchantName,
    p.storeId,
    p.traderId,
    p.externalId,
    p.payer,
    formatMinor(BigInt(p.fiatMinor), fiatScale(p.fiatCurrency)),
    p.fiatCurrency,
    p.cryptoMinor,
    p.cryptoCurrency,
    p.cryptoNetwork,
    p.risk,
  ]);

export function sendPaymentsCsv(reply: FastifyReply, deps: Deps, query: PaymentQuery) {
  const batches = exportPayments(deps, query); // a bad filter throws here: a 400, not a broken download
  return sendCsvStream(reply, "payments.csv", PAYMENTS_CSV_HEADER, batches, row);
}
