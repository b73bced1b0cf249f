// Composition root: turns a Config into Deps. Wiring only, no logic.
import path from "node:path";
import type { Logger } from "pino";
import type { Deps } from "../app/deps.js";
import type { Ports } from "../app/ports.js";
import { systemClock } from "../adapters/clock/system-clock.js";
import { createIds } from "../adapters/ids/time-ordered-ids.js";
import { createManualChain } from "../adapters/chain/manual-chain.js";
import { createSandboxChain } from "../adapters/chain/sandbox-chain.js";
import { createEvmPayoutStore } from "../db/chain/evm-payouts.js";
import { createManualKyc } from "../adapters/kyc/manual-kyc.js";
import { createSandboxKycVendor } from "../adapters/kyc/sandbox-kyc-vendor.js";
import { createFixedRateSource } from "../adapters/rates/fixed-rates.js";
import { createHttpTickerSource } from "../adapters/rates/http-ticker.js";
import { createRandomWalkSource } from "../adapters/rates/random-walk.js";
import { createNoAcquirer } from "../adapters/cards/no-acquirer.js";
import { createSandboxAcquirer } from "../adapters/cards/sandbox-acquirer.js";
import { createWebhookSender } from "../adapters/http/webhook-sender.js";
import { createHttpSmsGateway } from "../adapters/sms/http-sms-gateway.js";
import { createSandboxSms } from "../adapters/sms/sandbox-sms.js";
import { createSandboxEmail } from "../adapters/email/sandbox-email.js";
import { createLocalDiskStorage } from "../adapters/storage/local-disk-storage.js";
import type { ChainPayout, Clock, RateSource, SmsSender } from "../app/ports.js";
import { createRateCache } from "../app/rates/rate-cache.js";
import { assertNever } from "../core/shared/assert-never.js";
import type { Config } from "../config/config.js";
import { connectPGlite, connectPostgres, type Database } from "../db/connect.js";
import { DataDirLockedError } from "../db/lock-file.js";
import { embeddedProblem, probePostgres } from "../db/unavailable.js";
import { markDatabaseLive } from "../app/ops/live-database.js";
import { createOpsMetrics } from "../app/ops/metrics.js";
import { registerOpsGauges } from "../app/ops/ops-gauges.js";
import { prepareDatabase } from "../app/ops/migrations.js";
import { createLogger } from "./logger.js";
import { resolveSecretKey, secretSource } from "./secret-key.js";

function rateSource(config: Config, clock: Clock): RateSource {
  const { rates } = config;
  switch (rates.source) {
    case "fixed":
      return createFixedRateSource(rates.fixed, clock);
    case "random_walk":
      return createRandomWalkSource(clock);
    case "http":
      return createHttpTickerSource({ urls: rates.httpUrls, clock, maxAgeSeconds: rates.maxRateAgeSeconds });
    default:
      return assertNever(rates.source, "rate source");
  }
}

function smsSender(config: Config, logger: Logger): SmsSender {
  const gateway = config.ports.smsHttp;
  if (config.ports.sms === "log" || gateway === null) return createSandboxSms(logger, { logText: config.mode === "sandbox" });
  return createHttpSmsGateway({
    ...gateway,
    allowPrivate: config.allowPrivateWebhooks,
    timeoutMs: config.webhookTimeoutMs,
    onFailure: (reason) => logger.error({ reason }, "SMS gateway refused a message"),
  });
}

// The EVM adapters load only when the configuration names them: they bring viem, whose import alone
// costs ~0.35 s of CPU at every start of the gateway, a CLI command or a test process.
const evmChain = () => import("../adapters/chain/evm/evm-chain.js");
const evmTxChecker = () => import("../adapters/chain/evm/tx-checker.js");
const evmDepositSource = () => import("../adapters/chain/evm/deposit-source.js");

async function chainPayout(config: Config, clock: Clock, logger: Logger, database: Database | undefined): Promise<ChainPayout> {
  const { ports } = config;
  switch (ports.chain) {
    case "sandbox":
      return createSandboxChain(config.dataDir, config.sandbox.chainConfirmations);
    case "manual":
      return createManualChain();
    case "evm": {
      // The nonce manager lives in the database: a chain without one would hand out nonces twice.
      if (!database || !ports.evm) throw new Error("RAMPART_CHAIN=evm needs the database and its RAMPART_EVM_* settings");
      const { createEvmChain } = await evmChain();
      return createEvmChain({ config: ports.evm, store: createEvmPayoutStore(database.db, ports.evm.chainId), clock, logger });
    }
    default:
      return assertNever(ports.chain, "chain");
  }
}

/** Each port's adapter as config names it (config.ts portAdapters); live mode refuses the sandbox ones at start. */
export async function buildPorts(config: Config, clock: Clock, logger: Logger, database?: Database): Promise<Ports> {
  const { ports } = config;
  return {
    files: createLocalDiskStorage(path.join(config.dataDir, "files")),
    rates: createRateCache(rateSource(config, clock), clock, config.rates),
    sms: smsSender(config, logger),
    // No e-mail vendor ships yet: outside sandbox mode an e-mail is logged as undelivered.
    email: createSandboxEmail(logger, { logText: config.mode === "sandbox" }),
    cardAcquirer: ports.cardAcquirer === "sandbox" ? createSandboxAcquirer() : createNoAcquirer(),
    kyc: ports.kyc === "sandbox" ? createSandboxKycVendor(config.sandbox.kycApprovalDelayMs) : createManualKyc(),
    chain: await chainPayout(config, clock, logger, database),
    payoutTxChecker: ports.manualVerify ? (await evmTxChecker()).createEvmTxChecker(ports.manualVerify) : null,
    chainDeposits: ports.evm && ports.evmDeposits ? (await evmDepositSource()).createEvmDepositSource(ports.evm, ports.evmDeposits) : null,
    webhooks: createWebhookSender({ allowPrivate: config.allowPrivateWebhooks, timeoutMs: config.webhookTimeoutMs }),
  };
}

/**
 * Test mode's adapters (issue 19): fresh sandbox instances whatever the configuration names, so a test
 * payment in a live installation never reaches a live vendor. Shared, as they move no money: files,
 * webhook delivery and the rate source (a test payment is priced at the market rate, like a live one;
 * the quote is read, nothing is paid). Texts and e-mails are never sent; their text is logged only in a
 * sandbox installation: an e-mail link is a bearer token even for a test customer, and secrets never
 * reach a live installation's logs. The merchant reads them in test mode's inbox (test-messages.ts). The
 * sandbox chain keeps its own file.
 */
export function buildTestPorts(config: Config, clock: Clock, logger: Logger, live: Ports): Ports {
  return {
    files: live.files,
    rates: live.rates,
    sms: createSandboxSms(logger, { logText: config.mode === "sandbox", inbox: true }),
    email: createSandboxEmail(logger, { logText: config.mode === "sandbox", inbox: true }),
    cardAcquirer: createSandboxAcquirer(),
    kyc: createSandboxKycVendor(config.sandbox.kycApprovalDelayMs),
    chain: createSandboxChain(path.join(config.dataDir, "test-mode"), config.sandbox.chainConfirmations),
    payoutTxChecker: null,
    chainDeposits: null,
    webhooks: live.webhooks,
  };
}

/** Opens the configured database; an unreachable or missing one is a DatabaseUnavailableError. */
export async function connectDatabase(config: Config): Promise<Database> {
  if (config.databaseUrl) {
    await probePostgres(config.databaseUrl);
    return connectPostgres({ url: config.databaseUrl, poolSize: config.dbPoolSize });
  }
  try {
    return await connectPGlite({ dataDir: config.dataDir });
  } catch (err) {
    if (err instanceof DataDirLockedError) throw err;
    throw embeddedProblem(config.dataDir, err);
  }
}

/**
 * Connects, opens the database's key check with the secret before anything is written, applies
 * pending migrations and, on a new database, records the key check; in live mode marks the database
 * live (the sandbox seed refuses it from then on). Returns the migrations applied.
 */
export async function openDatabase(config: Config, secretKey: string): Promise<{ database: Database; applied: string[] }> {
  const database = await connectDatabase(config);
  try {
    const applied = await prepareDatabase(database, { secretKey, previousSecretKey: config.previousSecretKey }, secretSource(config));
    if (config.mode === "live") await markDatabaseLive(database.db);
    return { database, applied };
  } catch (err) {
    await database.close();
    throw err;
  }
}

/** Deps for any process or command: the database is open, checked against the secret and migrated. */
export async function buildDeps(config: Config, logger: Logger = createLogger(config.logLevel)): Promise<Deps> {
  const secretKey = resolveSecretKey(config);
  const { database } = await openDatabase(config, secretKey);
  const clock = systemClock;
  const ports = await buildPorts(config, clock, logger, database);
  const deps: Deps = {
    config: { ...config, secretKey },
    database,
    clock,
    ids: createIds(clock),
    logger,
    ports,
    testPorts: buildTestPorts(config, clock, logger, ports),
    metrics: createOpsMetrics({ enabled: config.metricsEnabled }),
  };
  if (config.metricsEnabled) registerOpsGauges(deps.metrics.registry, deps);
  return deps;
}
