// The only module that reads process.env. Everything else receives a validated Config.
import { isIP } from "node:net";
import path from "node:path";
import { httpUrlProblem } from "../core/shared/http-url.js";
import type { StepUpAmounts } from "../core/staff/step-up.js";
import { type EvmConfig, type EvmReadConfig, evmConfig, evmReadConfig } from "./evm-config.js";
import { type EvmDepositConfig, evmDepositConfig } from "./evm-deposit-config.js";
import { type WithdrawalConfig, withdrawalConfig } from "./withdrawal-config.js";

type RampartMode = "sandbox" | "live";
export type ProcessRole = "all" | "api" | "worker";

export interface Config {
  mode: RampartMode;
  port: number;
  host: string;
  /** PostgreSQL URL; null means the embedded PGlite database in dataDir. */
  databaseUrl: string | null;
  dataDir: string;
  /** Null until resolved: embedded sandbox generates one into the data dir; live mode requires it. */
  secretKey: string | null;
  /** During a rotation: the key being replaced, used only to decrypt (RAMPART_PREVIOUS_SECRET_KEY). */
  previousSecretKey: string | null;
  /** Base URL the hosted pages are linked from (what payers open). */
  publicUrl: string;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  bodyLimitBytes: number;
  /** Largest bank statement file an import reads (CLI and operator API). */
  statementMaxBytes: number;
  /** A folder the worker imports statement files from (banks that drop files by SFTP); null: off. */
  bankInboxDir: string | null;
  /** The account inbox files are for when a file names none (a requisite id, IBAN or account number). */
  bankInboxAccount: string | null;
  /** Outbox/job poll interval. */
  pollIntervalMs: number;
  /** Lets webhook/IPN delivery reach private and loopback addresses (tests, local demos). */
  allowPrivateWebhooks: boolean;
  /** Total time one webhook/IPN request may take (connect, send, response). */
  webhookTimeoutMs: number;
  /** How long a repeat of an Idempotency-Key waits for the first request to finish before answering 409 (RAMPART_IDEMPOTENCY_WAIT_MS). */
  idempotencyWaitMs: number;
  /** After SIGTERM, /readyz answers 503 "draining" for this long before the listener closes (RAMPART_DRAIN_DELAY_MS). */
  drainDelayMs: number;
  /** A drain that takes longer than this exits anyway (RAMPART_SHUTDOWN_TIMEOUT_MS); leases return what was left. */
  shutdownTimeoutMs: number;
  /** RAMPART_METRICS=0 turns the application metrics off (/metrics then answers an empty page). */
  metricsEnabled: boolean;
  /** /metrics counts enabled traders whose free deposit (USDT minor units) is below this (RAMPART_TRADER_LOW_DEPOSIT_MINOR). */
  traderLowDepositMinor: number;
  /** Console money actions above these amounts ask for a fresh TOTP code (RAMPART_STEP_UP_AMOUNT; core/staff/step-up.ts). */
  stepUpAmounts: StepUpAmounts;
  /** Max size of a PostgreSQL connection pool per process. */
  dbPoolSize: number;
  /** Requests per minute per authenticated credential (per client IP otherwise), per process; 0 disables. */
  rateLimitPerMinute: number;
  /**
   * Trading dispute rates (docs/risk.md): a requisite, or a trader over all its requisites, whose pay-ins
   * went to dispute more than `ratePercent` % of the time, once it has had `minPayins`, is taken out of
   * allocation until an operator releases it. ratePercent null (RAMPART_RISK_DISPUTE_RATE_PERCENT unset): off.
   */
  disputeRate: { ratePercent: number | null; minPayins: number };
  /** Fastify's trustProxy: which proxies' X-Forwarded-For gives the client address (rate limits, lockouts). */
  trustProxy: boolean | number | string[];
  /** Origins allowed to frame the payer pages (/pay, /kyc, /3ds); empty: no site may. */
  frameAncestors: string[];
  /** Per network: a block explorer's transaction URL with `{tx}` where the hash goes (the checkout links it). */
  explorers: Record<string, string>;
  rates: RatesConfig;
  sandbox: {
    /** The sandbox KYC vendor approves after this delay (0: at once). */
    kycApprovalDelayMs: number;
    /** The sandbox chain confirms a payout after this many status polls. */
    chainConfirmations: number;
  };
  pricing: PricingConfig;
  card: CardConfig;
  retention: RetentionConfig;
  /** Merchants' withdrawals: cooling-off, fees, approval thresholds (src/config/withdrawal-config.ts). */
  withdrawals: WithdrawalConfig;
  /** The adapter chosen for each port other than rates (rates.source) and the SMS gateway's settings. */
  ports: PortsConfig;
}

interface PortsConfig {
  kyc: "sandbox" | "manual";
  sms: "log" | "http";
  smsHttp: SmsHttpConfig | null;
  chain: "sandbox" | "manual" | "evm";
  /** The EVM network's settings when chain is evm (src/config/evm-config.ts). */
  evm: EvmConfig | null;
  /** chain manual with RAMPART_EVM_RPC_URLS: the node an entered tx hash is checked against; null: not checked. */
  manualVerify: EvmReadConfig | null;
  /** chain evm with RAMPART_EVM_DEPOSIT_XPUB: trader deposit addresses and their watcher; null: none. */
  evmDeposits: EvmDepositConfig | null;
  /** none: no acquirer, so the card dialect is switched off. */
  cardAcquirer: "sandbox" | "none";
}

/** An SMS gateway reached over HTTP: {phone} and {text} are filled into the URL and the body. */
interface SmsHttpConfig {
  url: string;
  /** null: a GET of the URL; otherwise a POST of this body with contentType. */
  body: string | null;
  contentType: "application/json" | "application/x-www-form-urlencoded";
  /** e.g. { name: "authorization", value: "Bearer …" } */
  authHeader: { name: string; value: string } | null;
}

const KYC_LEVELS = ["NONE", "KYC_0", "KYC_1", "KYC_2", "KYC_3"] as const;
type KycLevelName = (typeof KYC_LEVELS)[number];

/** The card pay-in dialect (/v3). Amounts are decimal strings in major units. */
interface CardConfig {
  /** How long an offer (a quote) may be paid. */
  offerTtlSeconds: number;
  /** The validTo/validSeconds of GET /v3/payin/data. */
  dataValidSeconds: number;
  /** The KYC level needed to pay and read a payment's outcome (every other /v3/payin call needs KYC_0). */
  payinPayKycLevel: KycLevelName;
  /** Rolling 30-day pay-in volume allowed per KYC level, in limitCurrency. */
  kycLimits: Record<KycLevelName, string>;
  limitCurrency: string;
  /** A 3-D Secure challenge not completed within this time fails. */
  challengeTimeoutSeconds: number;
}

/**
 * How long each class of personal data is kept before the worker's purge removes it, in days; 0 keeps
 * it for good. Defaults and reasons: docs/operations.md#erasure-and-retention. Risk velocity rows
 * have no setting: they go once older than the longest window any risk rule counts over.
 */
interface RetentionConfig {
  /** Documents (files) of decided KYC cases, counted from the decision (RAMPART_RETAIN_KYC_DOCUMENTS_DAYS, 1825). */
  kycDocumentsDays: number;
  /** Trading receipts (dispute evidence) with their files (RAMPART_RETAIN_RECEIPTS_DAYS, 1825). */
  receiptsDays: number;
  /** Delivered or failed webhook/IPN messages with their bodies and attempts, from the last attempt (RAMPART_RETAIN_WEBHOOK_BODIES_DAYS, 90). */
  webhookBodiesDays: number;
  /** Payer IPs and user agents on payment intents and trading pay-ins (RAMPART_RETAIN_PAYER_IPS_DAYS, 180). */
  payerIpsDays: number;
}

const MAX_RETENTION_DAYS = 36_500;

interface PricingConfig {
  /** JSON file of pair specs (src/core/pricing/pair.ts PairSpec[]) that override the pairs table. */
  pairsFile: string | null;
}

interface RatesConfig {
  /** random_walk: sandbox demo rates; fixed: RAMPART_FIXED_RATES; http: a public ticker API. */
  source: "random_walk" | "fixed" | "http";
  /** "FIAT/CRYPTO" → fiat per 1 crypto, e.g. "RUB/USDT" → "99.12". */
  fixed: Record<string, string>;
  /** Ticker URL templates with {fiat} and {crypto}; the second is the failover. */
  httpUrls: string[];
  /** A rate older than this is never used for a quote. */
  maxRateAgeSeconds: number;
  /** How long a fetched rate is reused before fetching again. */
  refreshSeconds: number;
}

/** RAMPART_STEP_UP_AMOUNT: "1000,RUB=100000" (a bare amount for every currency not named); unset: off. */
function stepUpAmounts(env: Env): StepUpAmounts {
  const out: StepUpAmounts = { default: null, byCurrency: {} };
  for (const item of (env.RAMPART_STEP_UP_AMOUNT ?? "").split(",").map((s) => s.trim()).filter(Boolean)) {
    const m = /^(?:([A-Z][A-Z0-9]{2,9})\s*=\s*)?((\d{1,15})(?:\.(\d{1,18}))?)$/.exec(item);
    if (!m) throw new ConfigError("RAMPART_STEP_UP_AMOUNT", `expected an amount or CODE=amount items, got "${item}"`);
    const amount = { text: m[2]!, coefficient: BigInt(m[3]! + (m[4] ?? "")), scale: (m[4] ?? "").length };
    if (m[1] === undefined) out.default = amount;
    else out.byCurrency[m[1]] = amount;
  }
  return out;
}

function fixedRates(env: Env): Record<string, string> {
  const raw = env.RAMPART_FIXED_RATES?.trim();
  if (!raw) return {};
  const out: Record<string, string> = {};
  for (const item of raw.split(",")) {
    const m = /^\s*([A-Z]{3})\/([A-Z0-9]{2,10})\s*=\s*(\d+(?:\.\d+)?)\s*$/.exec(item);
    if (!m) throw new ConfigError("RAMPART_FIXED_RATES", `expected FIAT/CRYPTO=rate items, got "${item}"`);
    out[`${m[1]}/${m[2]}`] = m[3]!;
  }
  return out;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = "ConfigError";
  }
}

export type Env = Record<string, string | undefined>;

export function int(env: Env, name: string, dflt: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return dflt;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be an integer, got "${raw}"`);
  const n = Number.parseInt(raw, 10);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], dflt: T): T {
  const raw = env[name];
  if (raw === undefined || raw === "") return dflt;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${allowed.join(", ")}, got "${raw}"`);
  }
  return raw as T;
}

function currencyCode(env: Env, name: string, dflt: string): string {
  const raw = env[name]?.trim().toUpperCase();
  if (raw === undefined || raw === "") return dflt;
  if (!/^[A-Z]{3}$/.test(raw)) throw new ConfigError(name, `must be a 3-letter currency code, got "${raw}"`);
  return raw;
}

const DEFAULT_KYC_LIMITS: Record<KycLevelName, string> = { NONE: "0", KYC_0: "9700", KYC_1: "15000", KYC_2: "32000", KYC_3: "100000" };

function kycLimits(env: Env): Record<KycLevelName, string> {
  const out = { ...DEFAULT_KYC_LIMITS };
  const raw = env.RAMPART_CARD_KYC_LIMITS?.trim();
  if (!raw) return out;
  for (const item of raw.split(",")) {
    const m = /^\s*(NONE|KYC_[0-3])\s*=\s*(\d+(?:\.\d+)?)\s*$/.exec(item);
    if (!m) throw new ConfigError("RAMPART_CARD_KYC_LIMITS", `expected LEVEL=amount items, got "${item}"`);
    out[m[1] as KycLevelName] = m[2]!;
  }
  return out;
}

function bool(env: Env, name: string): boolean {
  const raw = env[name];
  if (raw === undefined || raw === "" || raw === "0" || raw === "false") return false;
  if (raw === "1" || raw === "true") return true;
  throw new ConfigError(name, `must be 1/true or 0/false, got "${raw}"`);
}

const MIN_SECRET_KEY_LENGTH = 32;

/**
 * RAMPART_TRUST_PROXY: unset or `false` trusts no proxy (the socket address is the client); `true`
 * trusts every hop; a number trusts that many hops; otherwise a comma-separated list of proxy addresses
 * or CIDR ranges (e.g. `10.0.0.0/8,127.0.0.1`).
 */
function trustProxy(env: Env): boolean | number | string[] {
  const raw = env.RAMPART_TRUST_PROXY?.trim() ?? "";
  if (raw === "" || raw === "false") return false;
  if (raw === "true") return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  const items = raw.split(",").map((s) => s.trim()).filter(Boolean);
  for (const item of items) {
    const [addr, bits, ...rest] = item.split("/");
    if (rest.length > 0 || isIP(addr ?? "") === 0 || (bits !== undefined && !/^\d{1,3}$/.test(bits))) {
      throw new ConfigError("RAMPART_TRUST_PROXY", `expected true, a hop count or proxy addresses/CIDR ranges, got "${item}"`);
    }
  }
  return items;
}

/** RAMPART_FRAME_ANCESTORS: origins (`https://shop.example`, comma or space separated) that may frame payer pages. */
function frameAncestors(env: Env): string[] {
  const items = (env.RAMPART_FRAME_ANCESTORS ?? "").split(/[\s,]+/).filter(Boolean);
  for (const item of items) {
    if (!/^https?:\/\/(\*\.)?[A-Za-z0-9.-]+(:\d{1,5})?$/.test(item)) {
      throw new ConfigError("RAMPART_FRAME_ANCESTORS", `expected http(s) origins like https://shop.example, got "${item}"`);
    }
  }
  return items;
}

/** The public explorers of the built-in networks; RAMPART_EXPLORER_URLS adds or replaces networks. */
const DEFAULT_EXPLORERS: Record<string, string> = {
  bitcoin: "https://mempool.space/tx/{tx}",
  ethereum: "https://etherscan.io/tx/{tx}",
  erc20: "https://etherscan.io/tx/{tx}",
  trc20: "https://tronscan.org/#/transaction/{tx}",
};

/** `network=url-with-{tx}` pairs separated by spaces or commas; `network=` alone removes a link. */
function explorers(env: Env): Record<string, string> {
  const out = { ...DEFAULT_EXPLORERS };
  for (const item of (env.RAMPART_EXPLORER_URLS ?? "").split(/[\s,]+/).filter(Boolean)) {
    const m = /^([A-Za-z0-9_-]{2,20})=(.*)$/.exec(item);
    if (!m) throw new ConfigError("RAMPART_EXPLORER_URLS", `expected network=https://explorer.example/tx/{tx}, got "${item}"`);
    const [, network, url] = m as unknown as [string, string, string];
    if (url === "") {
      delete out[network.toLowerCase()];
      continue;
    }
    const problem = url.includes("{tx}") ? httpUrlProblem(url.replace("{tx}", "0")) : "has no {tx} where the transaction hash goes";
    if (problem) throw new ConfigError("RAMPART_EXPLORER_URLS", `${network}: ${problem}`);
    out[network.toLowerCase()] = url;
  }
  return out;
}

function smsHttp(env: Env): SmsHttpConfig {
  const url = env.RAMPART_SMS_URL?.trim() ?? "";
  if (url === "") throw new ConfigError("RAMPART_SMS_URL", "is required with RAMPART_SMS=http: the gateway's http(s) URL, with {phone} and {text} where they go");
  // The one rule for every URL Rampart is given: credentials belong in RAMPART_SMS_AUTH_HEADER, not in a URL that is logged.
  const problem = httpUrlProblem(url);
  if (problem) throw new ConfigError("RAMPART_SMS_URL", problem);
  const auth = env.RAMPART_SMS_AUTH_HEADER?.trim() ?? "";
  const m = /^([A-Za-z0-9-]+):\s*(\S.*)$/.exec(auth);
  if (auth !== "" && !m) throw new ConfigError("RAMPART_SMS_AUTH_HEADER", 'expected "Header-Name: value", e.g. "Authorization: Bearer abc"');
  return {
    url,
    body: env.RAMPART_SMS_BODY?.trim() || null,
    contentType: oneOf(env, "RAMPART_SMS_CONTENT_TYPE", ["application/json", "application/x-www-form-urlencoded"] as const, "application/json"),
    authHeader: m ? { name: m[1]!.toLowerCase(), value: m[2]! } : null,
  };
}

function portsConfig(env: Env): PortsConfig {
  const sms = oneOf(env, "RAMPART_SMS", ["log", "http"] as const, "log");
  const chain = oneOf(env, "RAMPART_CHAIN", ["sandbox", "manual", "evm"] as const, "sandbox");
  return {
    kyc: oneOf(env, "RAMPART_KYC", ["sandbox", "manual"] as const, "sandbox"),
    sms,
    smsHttp: sms === "http" ? smsHttp(env) : null,
    chain,
    evm: chain === "evm" ? evmConfig(env) : null,
    evmDeposits: chain === "evm" ? evmDepositConfig(env, evmReadConfig(env, "evm")) : null,
    manualVerify: chain === "manual" && env.RAMPART_EVM_RPC_URLS?.trim() ? evmReadConfig(env, "manual") : null,
    cardAcquirer: oneOf(env, "RAMPART_CARD_ACQUIRER", ["sandbox", "none"] as const, "sandbox"),
  };
}

/**
 * Which adapter serves each port: what `start` prints, /readyz and the dashboard overview show. The bank
 * feed is how money arriving at a bank reaches receiveBankTransfer: statement imports always (CLI, API,
 * console), the watched inbox when RAMPART_BANK_INBOX_DIR is set, and the simulated transfers of
 * /sandbox/bank-transfers in sandbox mode only.
 */
export function portAdapters(config: Pick<Config, "mode" | "rates" | "ports" | "bankInboxDir">) {
  const bankFeed = [...(config.mode === "sandbox" ? ["sandbox"] : []), "statements", ...(config.bankInboxDir !== null ? ["inbox"] : [])];
  return {
    rates: config.rates.source,
    kyc: config.ports.kyc,
    sms: config.ports.sms,
    chain: config.ports.chain,
    cardAcquirer: config.ports.cardAcquirer,
    bankFeed: bankFeed.join("+"),
  };
}

/**
 * Live mode runs on real adapters only: one ConfigError per port still on a sandbox adapter, naming the
 * variable to set. `log` SMS passes while the card dialect is off, since nothing else sends SMS.
 */
export function sandboxAdaptersInLive(config: Pick<Config, "mode" | "rates" | "ports">): ConfigError[] {
  if (config.mode !== "live") return [];
  const problems: ConfigError[] = [];
  const { ports } = config;
  if (config.rates.source === "random_walk") {
    problems.push(new ConfigError("RAMPART_RATES", "rates: random_walk is the sandbox's; set fixed (with RAMPART_FIXED_RATES) or http (with RAMPART_RATE_URLS)"));
  }
  if (ports.kyc === "sandbox") problems.push(new ConfigError("RAMPART_KYC", "kyc: sandbox approves by rule; set manual (an operator decides every case)"));
  if (ports.sms === "log" && ports.cardAcquirer !== "none") {
    problems.push(new ConfigError("RAMPART_SMS", "sms: log sends nothing; set http (with RAMPART_SMS_URL) for the card dialect's sign-up codes"));
  }
  if (ports.chain === "sandbox") problems.push(new ConfigError("RAMPART_CHAIN", "chain: sandbox writes payouts to a local file; set evm (with RAMPART_EVM_RPC_URLS) or manual (an operator pays and enters the tx hash)"));
  if (ports.cardAcquirer === "sandbox") {
    problems.push(new ConfigError("RAMPART_CARD_ACQUIRER", "card acquirer: sandbox approves any valid card; set none (the card dialect is then switched off)"));
  }
  return problems;
}

/** Parses and validates the environment once. A bad value fails fast, naming the variable. */
export function loadConfig(env: Env = process.env): Config {
  const mode = oneOf(env, "RAMPART_MODE", ["sandbox", "live"] as const, "sandbox");
  const port = int(env, "PORT", 8080, 0, 65535);
  // The sandbox (fake money, /sandbox routes, printed credentials) is for this machine unless HOST says
  // otherwise; live mode serves the network.
  const host = env.HOST?.trim() || (mode === "sandbox" ? "127.0.0.1" : "0.0.0.0");

  const databaseUrl = env.DATABASE_URL?.trim() || null;
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError("DATABASE_URL", "must be a postgres:// or postgresql:// URL");
  }
  const dataDir = path.resolve(env.RAMPART_DATA_DIR?.trim() || "./.rampart");

  const secretKey = env.RAMPART_SECRET_KEY?.trim() || null;
  if (secretKey !== null && secretKey.length < MIN_SECRET_KEY_LENGTH) {
    throw new ConfigError("RAMPART_SECRET_KEY", `must be at least ${MIN_SECRET_KEY_LENGTH} characters`);
  }
  if (mode === "live" && secretKey === null) {
    throw new ConfigError("RAMPART_SECRET_KEY", "is required in live mode");
  }

  const previousSecretKey = env.RAMPART_PREVIOUS_SECRET_KEY?.trim() || null;
  if (previousSecretKey !== null) {
    // The sandbox's merchant, keys and traders are derived from the secret, so a new one means new
    // sandbox data rather than a rotation.
    if (mode !== "live") throw new ConfigError("RAMPART_PREVIOUS_SECRET_KEY", "is for rotating the secret in live mode");
    if (secretKey === null) throw new ConfigError("RAMPART_PREVIOUS_SECRET_KEY", "needs RAMPART_SECRET_KEY set to the new key");
    if (previousSecretKey.length < MIN_SECRET_KEY_LENGTH) {
      throw new ConfigError("RAMPART_PREVIOUS_SECRET_KEY", `must be at least ${MIN_SECRET_KEY_LENGTH} characters`);
    }
    if (previousSecretKey === secretKey) throw new ConfigError("RAMPART_PREVIOUS_SECRET_KEY", "must differ from RAMPART_SECRET_KEY");
  }

  const publicUrl = (env.RAMPART_PUBLIC_URL?.trim() || `http://localhost:${port}`).replace(/\/+$/, "");
  try {
    const u = new URL(publicUrl);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("scheme");
  } catch {
    throw new ConfigError("RAMPART_PUBLIC_URL", `must be an http(s) URL, got "${publicUrl}"`);
  }

  const config = {
    mode,
    port,
    host,
    databaseUrl,
    dataDir,
    secretKey,
    previousSecretKey,
    publicUrl,
    logLevel: oneOf(env, "LOG_LEVEL", ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const, "info"),
    bodyLimitBytes: int(env, "RAMPART_BODY_LIMIT_BYTES", 1_048_576, 1024, 64 * 1_048_576),
    statementMaxBytes: int(env, "RAMPART_STATEMENT_MAX_BYTES", 10 * 1_048_576, 1024, 200 * 1_048_576),
    bankInboxDir: env.RAMPART_BANK_INBOX_DIR?.trim() ? path.resolve(env.RAMPART_BANK_INBOX_DIR.trim()) : null,
    bankInboxAccount: env.RAMPART_BANK_INBOX_ACCOUNT?.trim() || null,
    pollIntervalMs: int(env, "RAMPART_POLL_INTERVAL_MS", 500, 10, 60_000),
    allowPrivateWebhooks: bool(env, "RAMPART_ALLOW_PRIVATE_WEBHOOKS"),
    webhookTimeoutMs: int(env, "RAMPART_WEBHOOK_TIMEOUT_MS", 10_000, 100, 60_000),
    idempotencyWaitMs: int(env, "RAMPART_IDEMPOTENCY_WAIT_MS", 5_000, 0, 120_000),
    drainDelayMs: int(env, "RAMPART_DRAIN_DELAY_MS", 0, 0, 300_000),
    shutdownTimeoutMs: int(env, "RAMPART_SHUTDOWN_TIMEOUT_MS", 30_000, 1_000, 3_600_000),
    metricsEnabled: env.RAMPART_METRICS === undefined || env.RAMPART_METRICS === "" ? true : bool(env, "RAMPART_METRICS"),
    traderLowDepositMinor: int(env, "RAMPART_TRADER_LOW_DEPOSIT_MINOR", 1_000_000_000, 0, Number.MAX_SAFE_INTEGER),
    stepUpAmounts: stepUpAmounts(env),
    dbPoolSize: int(env, "RAMPART_DB_POOL_SIZE", 10, 1, 200),
    rateLimitPerMinute: int(env, "RAMPART_RATE_LIMIT_PER_MINUTE", 6000, 0, 100_000_000),
    disputeRate: {
      ratePercent: env.RAMPART_RISK_DISPUTE_RATE_PERCENT?.trim() ? int(env, "RAMPART_RISK_DISPUTE_RATE_PERCENT", 0, 0, 100) : null,
      minPayins: int(env, "RAMPART_RISK_DISPUTE_MIN_PAYINS", 20, 1, 1_000_000),
    },
    trustProxy: trustProxy(env),
    frameAncestors: frameAncestors(env),
    explorers: explorers(env),
    sandbox: {
      kycApprovalDelayMs: int(env, "RAMPART_SANDBOX_KYC_DELAY_MS", 0, 0, 86_400_000),
      chainConfirmations: int(env, "RAMPART_SANDBOX_CHAIN_CONFIRMATIONS", 3, 1, 100),
    },
    rates: {
      source: oneOf(env, "RAMPART_RATES", ["random_walk", "fixed", "http"] as const, "random_walk"),
      fixed: fixedRates(env),
      httpUrls: (env.RAMPART_RATE_URLS ?? "").split(",").map((u) => u.trim()).filter(Boolean),
      maxRateAgeSeconds: int(env, "RAMPART_MAX_RATE_AGE_SECONDS", 120, 1, 86_400),
      refreshSeconds: int(env, "RAMPART_RATE_REFRESH_SECONDS", 10, 1, 3600),
    },
    pricing: {
      pairsFile: env.RAMPART_PAIRS_FILE?.trim() ? path.resolve(env.RAMPART_PAIRS_FILE.trim()) : null,
    },
    card: {
      offerTtlSeconds: int(env, "RAMPART_CARD_OFFER_TTL_SECONDS", 20, 5, 3600),
      dataValidSeconds: int(env, "RAMPART_CARD_DATA_VALID_SECONDS", 30, 5, 3600),
      payinPayKycLevel: oneOf(env, "RAMPART_CARD_PAY_KYC_LEVEL", KYC_LEVELS, "KYC_0"),
      kycLimits: kycLimits(env),
      limitCurrency: currencyCode(env, "RAMPART_CARD_LIMIT_CURRENCY", "EUR"),
      challengeTimeoutSeconds: int(env, "RAMPART_CARD_CHALLENGE_TIMEOUT_SECONDS", 900, 30, 86_400),
    },
    retention: {
      kycDocumentsDays: int(env, "RAMPART_RETAIN_KYC_DOCUMENTS_DAYS", 1825, 0, MAX_RETENTION_DAYS),
      receiptsDays: int(env, "RAMPART_RETAIN_RECEIPTS_DAYS", 1825, 0, MAX_RETENTION_DAYS),
      webhookBodiesDays: int(env, "RAMPART_RETAIN_WEBHOOK_BODIES_DAYS", 90, 0, MAX_RETENTION_DAYS),
      payerIpsDays: int(env, "RAMPART_RETAIN_PAYER_IPS_DAYS", 180, 0, MAX_RETENTION_DAYS),
    },
    withdrawals: withdrawalConfig(env),
    ports: portsConfig(env),
  };
  if (config.rates.source === "http" && config.rates.httpUrls.length === 0) {
    throw new ConfigError("RAMPART_RATE_URLS", "is required when RAMPART_RATES=http");
  }
  return config;
}
