// Ports: every outside party Rampart talks to sits behind one of these interfaces.
// Each has a sandbox implementation in src/adapters/** that runs offline; a real adapter
// plugs in by config. Ports never see a database transaction: use cases call them after commit.

/** The only time source. Tests and the sandbox test clock move it by hand. */
export interface Clock {
  now(): Date;
}

/** Id generation; prefixed and time-ordered where a dialect does not fix the format. */
export interface Ids {
  /** `${prefix}_${26 chars of time-ordered Crockford base32}` */
  prefixed(prefix: string): string;
  /** RFC 9562 UUID version 7 (time-ordered). */
  uuid(): string;
}

/** A fiat→crypto mid rate: `rate` is fiat per 1 whole crypto unit, as a decimal string. */
export interface RateQuote {
  fiat: string; // ISO 4217 code, e.g. "EUR"
  crypto: string; // asset symbol, e.g. "USDT"
  rate: string; // decimal string, fiat per 1 crypto, e.g. "99.12"
  source: string; // which source produced it, recorded on every quote
  fetchedAt: Date;
}

export interface RateSource {
  readonly name: string;
  /** Latest rate for the pair, or throws. Implementations add their own timeout. */
  getRate(fiat: string, crypto: string): Promise<RateQuote>;
  /** When each pair's rate in hand was fetched, by "FIAT/CRYPTO" (the cache has one; /metrics reads rate ages). */
  fetchedAt?(): ReadonlyMap<string, Date>;
}

/** What the acquirer tells about the card's issuer (shown to the payer, never the PAN). */
export interface CardIssuer {
  countryCode: string; // ISO 3166 alpha-2
  countryName: string;
  bankName: string;
}

interface CardAuthAnswer {
  providerRef: string;
  code: number;
  message: string;
  issuer?: CardIssuer;
}

export type CardAuthOutcome =
  | ({ kind: "approved" } & CardAuthAnswer)
  | ({ kind: "challenge" } & CardAuthAnswer) // 3-D Secure: the payer must pass the challenge page
  | ({ kind: "declined" } & CardAuthAnswer)
  | ({ kind: "provider_error" } & CardAuthAnswer); // outcome unknown: resolved later by status()

interface CardAuthRequest {
  paymentId: string; // idempotency key at the acquirer
  pan: string; // decrypted only for this call, never stored or logged
  expMonth: number;
  expYear: number;
  cvv: string | null;
  amountMinor: bigint;
  currency: string;
}

interface CardPaymentRef {
  paymentId: string;
  /** The acquirer's reference from an earlier answer; null when no answer was ever recorded. */
  providerRef: string | null;
}

export interface CardAcquirer {
  readonly name: string;
  authorize(req: CardAuthRequest): Promise<CardAuthOutcome>;
  /** Re-reads the outcome of an earlier authorize (status sync); null when the acquirer never saw it. */
  status(ref: CardPaymentRef): Promise<CardAuthOutcome | null>;
  /** The payer's answer on the 3-D Secure page; the acquirer gives the final outcome. */
  completeChallenge(ref: CardPaymentRef, passed: boolean): Promise<CardAuthOutcome>;
}

export type { IncomingBankTransfer } from "../core/bank-transfers/incoming-transfer.js";

export type ChainPayoutStatus =
  | { kind: "unknown" } // the chain never saw this payout key
  | { kind: "pending"; txHash: string; confirmations: number }
  /** networkFee: what the transaction cost the hot wallet (gas), in the network's coin, when the chain knows it. */
  | { kind: "confirmed"; txHash: string; confirmations: number; networkFee?: { asset: string; amountMinor: bigint } }
  /**
   * code: why a payout was refused before anything was signed, stable for operators and their tooling —
   * recipient_is_contract (a contract not listed in RAMPART_EVM_CONTRACT_RECIPIENTS), token_decimals_mismatch
   * (the token contract's decimals are not the asset's). None for a transaction that failed on chain.
   * networkFee: a transaction mined and reverted (or an operator's cancel mined) still cost gas.
   */
  | { kind: "failed"; reason: string; txHash?: string; code?: "recipient_is_contract" | "token_decimals_mismatch"; networkFee?: { asset: string; amountMinor: bigint } }
  | { kind: "awaiting_operator" }; // a manual chain: an operator pays and enters the tx hash

interface ChainPayoutRequest {
  payoutKey: string; // recorded before the send; a retry asks by this key first
  network: string;
  asset: string;
  address: string;
  amountMinor: bigint;
}

/** What the hot wallet holds of one asset, in the asset's base units. */
export interface HotWalletBalance {
  network: string;
  asset: string;
  balanceMinor: bigint;
  decimals: number;
  /** Below this the operator is warned (the native coin, which pays every payout's gas); null: no threshold. */
  lowBelowMinor: bigint | null;
}

export interface ChainPayout {
  readonly name: string;
  send(req: ChainPayoutRequest): Promise<ChainPayoutStatus>;
  status(payoutKey: string): Promise<ChainPayoutStatus>;
  /**
   * A chain whose payouts can stick (evm): replaces a pending payout by a 0-value transfer to the hot
   * wallet at the same nonce with a higher fee. It never fails the payout itself: status() answers
   * failed only once that replacement is mined to the depth, confirmed if the payout is mined instead.
   * Throws while the cancel cannot be sent yet (fee cap, a concurrent replacement): the caller retries.
   */
  cancel?(payoutKey: string): Promise<void>;
  /** A chain paid from a hot wallet reads its balances from the node (node failures throw); others have none. */
  hotWalletBalances?(): Promise<HotWalletBalance[]>;
  /** A chain read from a node: the node's head block (node failures throw); others have none. */
  headBlock?(): Promise<bigint>;
}

/** An operator-entered payout transaction and what it must pay (amountMinor in the asset's `decimals`). */
interface PayoutTxCheckRequest {
  txHash: string;
  network: string;
  asset: string;
  address: string;
  amountMinor: bigint;
  decimals: number;
}

export type PayoutTxCheck =
  | { kind: "matches"; confirmations: number }
  | { kind: "mismatch"; reason: string } // unknown hash, reverted, wrong recipient, token or amount
  | { kind: "unconfirmed"; confirmations: number; required: number }
  | { kind: "not_checkable"; reason: string }; // a network or asset this checker cannot read

/** Checks on chain that an operator's payout transaction pays what the payout owes. Node failures throw. */
export interface PayoutTxChecker {
  readonly name: string;
  check(req: PayoutTxCheckRequest): Promise<PayoutTxCheck>;
}

/** A transfer of value on chain (a token Transfer log, or a native coin transfer with logIndex -1). */
export interface ChainTransfer {
  txHash: string;
  logIndex: number;
  blockNumber: bigint;
  blockHash: string;
  /** The recipient, lower-case hex. */
  to: string;
  asset: string;
  /** In the asset's own base units. */
  amountBase: bigint;
  decimals: number;
}

/** Reads a chain for deposits: the trader deposit watcher's source (app/trading/deposit-watcher.ts). */
export interface ChainDepositSource {
  readonly chainId: number;
  /** The extended public key the deposit addresses are derived from (public: it cannot spend). */
  readonly xpub: string;
  /** The address of non-hardened child `index`, lower-case hex. */
  deriveAddress(index: number): string;
  head(): Promise<bigint>;
  /** The hash of the block at `number` on the node's chain now; null when the chain is shorter. */
  blockHash(number: bigint): Promise<string | null>;
  /** Blocks `from`..`to` (inclusive), in order: each block's hash and parent's hash, and every transfer in them, to any address. */
  scan(from: bigint, to: bigint): Promise<{ blocks: { number: bigint; hash: string; parentHash: string }[]; transfers: ChainTransfer[] }>;
}

export interface KycSubmission {
  caseId: string;
  level: string;
  firstName: string;
  lastName: string;
  birthDate: string | null;
  documentType: string | null;
  documentNumber: string | null;
  country: string | null;
  nationality: string | null;
  files: string[]; // storage keys
}

export type KycDecision =
  | { kind: "approved" }
  | { kind: "rejected"; reason: string }
  | { kind: "review" }
  | { kind: "pending"; retryAfterMs: number };

export interface KycVendor {
  readonly name: string;
  submit(sub: KycSubmission): Promise<KycDecision>;
  /** Polls a case that answered `pending`. */
  check(caseId: string): Promise<KycDecision>;
}

export interface SmsSender {
  readonly name: string;
  send(phone: string, text: string): Promise<void>;
}

export interface EmailSender {
  readonly name: string;
  send(to: string, subject: string, text: string): Promise<void>;
}

export interface FileStorage {
  readonly name: string;
  put(key: string, data: Buffer, contentType: string): Promise<void>;
  get(key: string): Promise<{ data: Buffer; contentType: string } | null>;
  /** Removes the file; a key already gone is not an error (erasure and retention delete idempotently). */
  delete(key: string): Promise<void>;
}

/** A signed webhook or IPN request, built by the outbox; the sender adds nothing but transport. */
export interface WebhookRequest {
  method: "GET" | "POST";
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** Network outcomes are results, never exceptions: a refused address or a timeout is an "error". */
export type WebhookResponse =
  | {
      kind: "response";
      status: number;
      headers: Record<string, string | string[] | undefined>;
      /** Possibly cut at the sender's cap; `truncated` says the receiver sent more. */
      body: string;
      truncated: boolean;
      latencyMs: number;
    }
  | { kind: "error"; error: string; latencyMs: number };

/** Outgoing merchant webhooks and IPNs (the real one refuses private addresses unless configured). */
export interface WebhookSender {
  readonly name: string;
  send(req: WebhookRequest): Promise<WebhookResponse>;
}

/** The ports wired today; each area adds its port here when it lands. */
export interface Ports {
  files: FileStorage;
  /** Already wrapped in the rate cache: never returns a rate older than maxRateAgeSeconds. */
  rates: RateSource;
  sms: SmsSender;
  email: EmailSender;
  cardAcquirer: CardAcquirer;
  kyc: KycVendor;
  chain: ChainPayout;
  /** The manual chain's check of an entered tx hash; null when none is configured (recorded unchecked). */
  payoutTxChecker: PayoutTxChecker | null;
  /** RAMPART_EVM_DEPOSIT_XPUB set: trader deposit addresses and the chain they are watched on; null: none. */
  chainDeposits: ChainDepositSource | null;
  webhooks: WebhookSender;
}
