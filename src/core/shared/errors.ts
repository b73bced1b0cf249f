// One error catalogue for every dialect. Each error has a stable snake_case code, an HTTP status
// and a public message; internals are logged, never returned. Dialects render these in their own
// envelope (see src/http/errors/*). docs/errors.md must list every code (a test checks it).

export const ERROR_CATALOGUE = {
  // --- generic request errors
  validation_failed: { status: 400, message: "The request is invalid." },
  invalid_json: { status: 400, message: "The request body is not valid JSON." },
  unauthorized: { status: 401, message: "Missing or invalid credentials." },
  invalid_signature: { status: 401, message: "The request signature does not match." },
  forbidden: { status: 403, message: "This action is not allowed." },
  read_only_key: { status: 403, message: "This API key is read-only: it cannot change anything." },
  live_mode_only: { status: 403, message: "This request needs a live API key: a test key cannot make it." },
  test_mode_only: { status: 403, message: "In live mode this simulation takes a test API key only." },
  not_found: { status: 404, message: "Not found." },
  route_not_found: { status: 404, message: "No such route." },
  method_not_allowed: { status: 405, message: "Method not allowed." },
  path_too_long: { status: 414, message: "A segment of the path is longer than 100 characters." },
  invalid_url: { status: 400, message: "The URL is malformed." },
  conflict: { status: 409, message: "The request conflicts with the current state." },
  illegal_transition: { status: 409, message: "This action is not allowed in the current status." },
  body_too_large: { status: 413, message: "The request body is too large." },
  unsupported_media_type: { status: 415, message: "Unsupported content type." },
  malformed_multipart: { status: 400, message: "The multipart/form-data body is malformed." },
  rate_limited: { status: 429, message: "Too many requests." },
  webhook_endpoint_limit_reached: { status: 409, message: "The merchant has as many webhook endpoints as allowed." },
  // --- trading dialect (/payment/trading, /trader/v1, trading admin)
  no_requisite_available: { status: 403, message: "No requisite can take a pay-in of this amount now." },
  fiat_amount_too_small: { status: 403, message: "The fiat amount is under the merchant's minimum." },
  fiat_amount_too_large: { status: 403, message: "The fiat amount is over the merchant's maximum." },
  method_not_available: { status: 403, message: "This payment method is not enabled for the merchant." },
  bank_not_available: { status: 403, message: "This bank is not enabled for the merchant." },
  currency_not_available: { status: 403, message: "This fiat currency is not enabled for the merchant." },
  trading_not_enabled: { status: 403, message: "Trading pay-ins are not enabled for this merchant." },
  external_transaction_id_conflict: { status: 409, message: "externalTransactionId was already used with a different request." },
  invalid_invoice_key: { status: 400, message: "The invoiceKey does not name a receipt of this pay-in." },
  dispute_limit_reached: { status: 409, message: "This pay-in cannot be disputed again: support has decided and the limit of new disputes is reached." },
  dispute_needs_new_receipt: { status: 400, message: "Support has already decided on this receipt: a new dispute needs a receipt not shown before." },
  deposit_via_chain: { status: 409, message: "In live mode a trader's deposit comes in on chain to its deposit address; operator top-ups are for sandbox mode and test traders." },
  deposit_address_unavailable: { status: 409, message: "This platform takes no on-chain deposits: no deposit address can be given." },
  // --- money core: amounts, currencies, addresses, pricing
  invalid_amount: { status: 400, message: "The amount is not a valid decimal amount." },
  amount_scale_exceeded: { status: 400, message: "The amount has more decimal places than the currency allows." },
  unknown_currency: { status: 400, message: "Unknown currency or asset." },
  invalid_address: { status: 400, message: "The wallet address is not valid for this network." },
  amount_below_minimum: { status: 400, message: "The amount is below the minimum." },
  amount_above_maximum: { status: 400, message: "The amount is above the maximum." },
  pair_unavailable: { status: 400, message: "This currency pair or payment method is not available." },
  rate_unavailable: { status: 503, message: "No fresh exchange rate is available right now." },
  // --- idempotency keys (side-effects area)
  idempotency_key_in_flight: { status: 409, message: "A request with this Idempotency-Key is still being processed." },
  idempotency_key_reused: { status: 422, message: "This Idempotency-Key was used with a different request." },
  // --- payment intents and KYC
  store_mismatch: { status: 403, message: "storeId does not name a store of this merchant." },
  store_not_configured: { status: 403, message: "This store is not set up for payment intents." },
  intent_not_ready: { status: 409, message: "Payment instructions are only available in status 4 (ready to pay)." },
  payout_tx_mismatch: { status: 422, message: "The transaction does not pay this payout: unknown hash, reverted, or another recipient, token or amount." },
  payout_tx_unconfirmed: { status: 409, message: "The transaction is not yet confirmed on chain; enter the hash again once it is." },
  tx_hash_already_used: { status: 409, message: "This transaction was already recorded as the payment of another payout or withdrawal; one transaction pays one payout." },
  payout_tx_check_unavailable: { status: 503, message: "The chain node that checks payout transactions cannot be reached; try again later." },
  kyc_link_invalid: { status: 404, message: "This verification link is invalid, used or expired." },
  internal_error: { status: 500, message: "Internal error." },
  service_unavailable: { status: 503, message: "The service is not ready." },
  service_not_enabled: { status: 403, message: "This service is not enabled on this server." },
  // --- ledger (src/app/ledger)
  insufficient_funds: { status: 403, message: "The account does not have enough available funds." },
  transfer_id_conflict: { status: 409, message: "This transfer id was already used with different entries." },
  // --- withdrawals (src/app/withdrawals; docs/withdrawals.md)
  withdrawal_address_exists: { status: 409, message: "This address is already on the allow-list for this network." },
  withdrawal_address_not_allowed: { status: 422, message: "The address is not on the allow-list, or was removed." },
  withdrawal_address_cooling_off: { status: 409, message: "This address was added recently: it can be used once its cooling-off period ends (usableFrom)." },
  withdrawal_address_removed: { status: 409, message: "The withdrawal's address was removed from the allow-list after it was requested: reject the withdrawal to return the funds." },
  withdrawal_cancel_unsupported: { status: 409, message: "This chain cannot cancel a sent payout (only the evm chain replaces one on chain)." },
  withdrawal_not_manual: { status: 409, message: "This withdrawal is paid by the chain itself; a transaction hash is recorded only for a payout the manual chain leaves to an operator." },
  withdrawal_insufficient_balance: { status: 422, message: "The available balance does not cover the amount and the fee." },
  // --- card pay-in dialect (/v3, /oauth/token, /v2/customer): customers, KYC, vault, offers, payments
  invalid_client: { status: 401, message: "Unknown or missing X-Merchant-ID." },
  invalid_token: { status: 401, message: "The access token is missing, invalid or expired." },
  invalid_grant: { status: 400, message: "Bad credentials." },
  unsupported_grant_type: { status: 400, message: "This grant_type is not supported." },
  too_many_attempts: { status: 429, message: "Too many failed attempts; try again later." },
  sms_resend_cooldown: { status: 429, message: "A new code cannot be sent yet; see Retry-After." },
  already_registered: { status: 403, message: "This phone number is already registered." },
  weak_password: { status: 400, message: "The password is too weak." },
  invalid_sms_code: { status: 400, message: "The confirmation code is wrong or expired." },
  phone_not_confirmed: { status: 403, message: "The phone number is not confirmed yet." },
  kyc_level_required: { status: 403, message: "A higher KYC level is required." },
  name_locked: { status: 403, message: "The name cannot be changed after KYC_1." },
  card_limit_reached: { status: 403, message: "At most 4 cards can be saved." },
  invalid_card_number: { status: 400, message: "The card number is not valid." },
  unsupported_card_brand: { status: 400, message: "Only VISA and MASTERCARD cards are accepted." },
  card_expired: { status: 400, message: "The card has expired." },
  offer_expired: { status: 409, message: "The offer has expired; create a new one." },
  offer_already_paid: { status: 409, message: "The offer has already been paid." },
  payin_limit_exceeded: { status: 403, message: "The amount exceeds the rolling 30-day limit of your KYC level." },
  not_supported: { status: 400, message: "Rampart does not support this vault.ist call." },
  wrong_password: { status: 400, message: "The current password is wrong." },
  email_already_confirmed: { status: 400, message: "Your e-mail is already confirmed; it cannot be changed." },
  email_already_registered: { status: 400, message: "This e-mail is already registered." },
  invalid_email_token: { status: 400, message: "The e-mail confirmation link is wrong or expired." },
  email_resend_cooldown: { status: 429, message: "A new e-mail cannot be sent yet; see Retry-After." },
  // --- bank statement import (src/core/bank-statements, app/bank-statements)
  statement_unreadable: { status: 422, message: "The file is not a statement Rampart can read." },
  statement_rejected_lines: { status: 422, message: "Some entries of the statement cannot be imported; nothing was imported." },
  statement_too_large: { status: 413, message: "The statement file is over the configured limit." },
  // --- risk engine (src/core/risk, src/app/risk; docs/risk.md)
  risk_blocked: { status: 403, message: "The payment was refused by the risk rules." },
  payer_page_refused: { status: 403, message: "This payment page cannot be opened from this device or network." },
  risk_review_pending: { status: 409, message: "The payment is held for a risk review; it cannot go on until an operator releases it." },
  csv_mapping_required: { status: 422, message: "A CSV statement needs a column mapping for its account." },
  invalid_iban: { status: 400, message: "The IBAN is not valid (country, length and check digits)." },
  // --- operator console and API: staff accounts, roles (src/core/staff, src/app/staff; docs/console.md)
  role_forbidden: { status: 403, message: "Your role does not allow this action." },
  step_up_required: { status: 403, message: "This action moves more than the step-up amount: enter a code from your authenticator app." },
  invalid_second_factor: { status: 400, message: "The authentication code is wrong, expired or already used." },
  last_owner: { status: 409, message: "This is the merchant's last active owner: make another person owner first." },
  // --- erasure (src/app/privacy; docs/operations.md#erasure-and-retention)
  customer_not_found: { status: 404, message: "No personal data of this person is stored, and none was erased before." },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

interface AppErrorOptions {
  /** Public message; defaults to the catalogue message. Never put internals here. */
  message?: string;
  /** The request field at fault, when there is one. */
  field?: string;
  /** Extra public data for the dialect renderer (e.g. the current status of an illegal transition). */
  details?: Record<string, unknown>;
  /** Extra response headers, e.g. Retry-After. */
  headers?: Record<string, string>;
}

export class AppError extends Error {
  readonly status: number;
  readonly field: string | undefined;
  readonly details: Record<string, unknown> | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(
    readonly code: ErrorCode,
    opts: AppErrorOptions = {},
  ) {
    super(opts.message ?? ERROR_CATALOGUE[code].message);
    this.name = "AppError";
    this.status = ERROR_CATALOGUE[code].status;
    this.field = opts.field;
    this.details = opts.details;
    this.headers = opts.headers;
  }
}

/** What an illegal transition tried: the dialects build their own codes from it (trading's CANNOT_…). */
export interface RefusedTransition {
  entity: string;
  action: string;
  currentStatus: string | number;
}

/** A state machine refused a transition: 409, the message names the action and the current status. */
export class IllegalTransitionError extends AppError {
  readonly transition: RefusedTransition;

  constructor(t: RefusedTransition & { message: string }) {
    super("illegal_transition", { message: t.message, details: { currentStatus: t.currentStatus } });
    this.transition = { entity: t.entity, action: t.action, currentStatus: t.currentStatus };
  }
}
