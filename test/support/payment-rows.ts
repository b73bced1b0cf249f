// Payments of the three flows inserted set-based (one INSERT ... SELECT generate_series per table), for
// the payments explorer's list, search and export tests: thousands of rows in well under a second.
// Rows are complete enough for the list (ids, amounts, statuses, payers) but carry no ledger postings.
import { createHash } from "node:crypto";
import { sql } from "kysely";
import type { Db } from "../../src/db/schema.js";

export interface PaymentRowsOptions {
  /** Distinguishes the ids of one call from another's. */
  tag: string;
  merchantId: string;
  storeId: string;
  trader: { traderId: string; requisiteId: string } | null;
  trading?: number;
  intents?: number;
  cards?: number;
  /** Row n is created at `start` + n × stepMs (all three flows share the instants, so ties are tested). */
  start: Date;
  stepMs?: number;
}

/** Deterministic ids: the test can name any row it inserted. */
export const tradingRowId = (tag: string, n: number) => uuidOf(`t:${tag}:${n}`);
export const cardRowId = (tag: string, n: number) => uuidOf(`c:${tag}:${n}`);
export const intentRowId = (tag: string, n: number) => `pi_${tag}_${String(n).padStart(6, "0")}`;

function uuidOf(s: string): string {
  const h = createHash("md5").update(s).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export async function insertPaymentRows(db: Db, o: PaymentRowsOptions): Promise<void> {
  const step = o.stepMs ?? 1000;
  const at = (n: ReturnType<typeof sql>) => sql`${o.start}::timestamptz + (${n} * ${step}) * interval '1 millisecond'`;
  const n = sql`g`;
  if (o.trading && o.trader) {
    await sql`INSERT INTO trading_payins (id, merchant_id, api_key_id, status, fiat_amount_minor, fiat_currency, crypto_amount_minor,
        merchant_fee_minor, fee_rate, currency_rate, crypto_currency, crypto_network, bank_code, method, requisite_id, trader_id,
        external_transaction_id, request_fingerprint, extra, expires_at, created_at, updated_at)
      SELECT md5('t:' || ${o.tag} || ':' || g)::uuid, ${o.merchantId}::uuid, 'test', 'closed', 10000 + g, 'RUB', 1000000 + g,
        0, 0.085, '99.12', 'USDT', 'TRC20', 'SBER', 'card', ${o.trader.requisiteId}::uuid, ${o.trader.traderId},
        'ext-' || ${o.tag} || '-' || g, 'fp', '{}'::json, ${at(n)} + interval '15 minutes', ${at(n)}, ${at(n)}
      FROM generate_series(0, ${o.trading - 1}) g`.execute(db);
  }
  if (o.intents) {
    const user = `kyu_${o.tag}`;
    await sql`INSERT INTO kyc_users (id, store_id, email) VALUES (${user}, ${o.storeId}, ${`payer.${o.tag}@example.com`})`.execute(db);
    await sql`INSERT INTO payment_intents (id, merchant_id, store_id, user_id, status, email, ip, payment_method, fiat_currency, fiat_minor,
        fee_fiat_minor, crypto_symbol, network, crypto_minor, network_fee_minor, rate, rate_source, rate_fetched_at, wallet_address,
        order_number, reference, created_at, updated_at)
      SELECT 'pi_' || ${o.tag} || '_' || lpad(g::text, 6, '0'), ${o.merchantId}::uuid, ${o.storeId}, ${user}, 5,
        'payer' || g || '.' || ${o.tag} || '@example.com', '127.0.0.1', 'sepa', 'EUR', 10000 + g, 100, 'USDT', 'TRC20', 1000000 + g, 0,
        '0.92', 'fixed', ${o.start}::timestamptz, 'TXyz', 'ord-' || ${o.tag} || '-' || g, 'REF' || upper(${o.tag}) || g, ${at(n)}, ${at(n)}
      FROM generate_series(0, ${o.intents - 1}) g`.execute(db);
  }
  if (o.cards) {
    const customer = uuidOf(`cust:${o.tag}`);
    await sql`INSERT INTO card_customers (id, merchant_id, phone, password_hash, email, created_at, updated_at)
      VALUES (${customer}::uuid, ${o.merchantId}::uuid, ${`+49${parseInt(customer.slice(0, 8), 16)}`}, 'x', ${`card.${o.tag}@example.com`}, ${o.start}, ${o.start})`.execute(db);
    const card = await sql<{ id: string }>`INSERT INTO card_cards (customer_id, pan_enc, pan_key_id, pan_hmac, bin, last4, brand, holder, exp_month,
        exp_year, billing_address, billing_city, billing_country, billing_zip, created_at)
      VALUES (${customer}::uuid, 'enc', 'k', ${`hmac-${o.tag}`}, '424242', '4242', 'VISA', 'A B', 12, 2040, 'x', 'y', 'DE', '1', ${o.start})
      RETURNING id::text`.execute(db);
    const cardId = card.rows[0]!.id;
    // One offer per payment (card_payments.offer_id is unique); offer ids follow g in insertion order.
    await sql`WITH offers AS (
        INSERT INTO card_offers (customer_id, card_id, status, fiat, fiat_minor, crypto, crypto_network, crypto_decimals, crypto_minor,
          fee_minor, mid_rate, rate_source, expires_at, created_at, updated_at)
        SELECT ${customer}::uuid, ${cardId}::bigint, 'paid', 'EUR', 10000 + g, 'USDT', 'TRC20', 6, 1000000 + g, 0, '0.92', 'fixed',
          ${at(n)}, ${at(n)}, ${at(n)}
        FROM generate_series(0, ${o.cards - 1}) g
        RETURNING id, fiat_minor - 10000 AS g)
      INSERT INTO card_payments (id, offer_id, customer_id, merchant_id, card_id, status, fiat, fiat_minor, fee_minor, crypto, crypto_network,
        crypto_decimals, crypto_minor, limit_minor, masked_pan, provider_ref, created_at, updated_at)
      SELECT md5('c:' || ${o.tag} || ':' || g)::uuid, id, ${customer}::uuid, ${o.merchantId}::uuid, ${cardId}::bigint, 'succeeded', 'EUR',
        10000 + g, 0, 'USDT', 'TRC20', 6, 1000000 + g, 10000 + g, '424242******4242', 'acq-' || ${o.tag} || '-' || g, ${at(n)}, ${at(n)}
      FROM offers`.execute(db);
  }
}
