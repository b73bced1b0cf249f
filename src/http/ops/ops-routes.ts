// Operations endpoints: liveness, readiness, metrics and the OpenAPI document. Readiness turns 503
// when the process cannot do its work (database unreachable, migrations pending, its NOTIFY session
// lost: caches bypassed and the cabinet's live updates silent until it reconnects) and while it drains
// after SIGTERM (app.lifecycle.draining, set by src/main/server.ts), so a load balancer stops sending
// new requests before the listener closes.
//
// The chain's node is reported, never a reason for 503: the API (intents, bank callbacks, status
// reads, the console) works without it — payouts wait and retry, the deposit watcher resumes from its
// cursor — and a node outage hits every instance at once, so failing readiness on it would take the
// whole API out of the load balancer for something no instance can fix. `chain.status` "degraded"
// (the node does not answer, or the deposit watcher is falling behind) is for alerts and operators,
// like jobLagSeconds.
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { Deps } from "../../app/deps.js";
import { type ChainHealth, chainHealth } from "../../app/ops/chain-health.js";
import { adaptersInUse, databaseReadiness, listenerState } from "../../app/ops/health.js";

declare module "fastify" {
  interface FastifyInstance {
    /** Set by the composition root when the process starts draining (SIGTERM). */
    lifecycle: { draining: boolean };
  }
}

const READY_TIMEOUT_MS = 2000;

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const Health = Type.Object({ status: Type.String() });
const Adapters = Type.Object(
  {
    rates: Type.String(),
    kyc: Type.String(),
    sms: Type.String(),
    chain: Type.String(),
    cardAcquirer: Type.String(),
    bankFeed: Type.String({ description: "statements (imports), +inbox with RAMPART_BANK_INBOX_DIR, sandbox+ in sandbox mode (/sandbox/bank-transfers)" }),
  },
  { description: "The adapter serving each port, as configured (RAMPART_RATES, RAMPART_KYC, RAMPART_SMS, RAMPART_CHAIN, RAMPART_CARD_ACQUIRER, RAMPART_BANK_INBOX_DIR)" },
);
const Chain = Type.Union(
  [
    Type.Object({
      status: Type.String({ description: "ok, or degraded: the node does not answer, or the deposit watcher is behind by more than behindAboveBlocks" }),
      node: Type.String({ description: "up or down (failed, answered garbage, or not within 1.5 s)" }),
      headBlock: Type.Union([Type.String(), Type.Null()], { description: "The node's head block (a decimal string); null while it is down" }),
      depositWatcher: Type.Union([
        Type.Object({
          lastScannedBlock: Type.Union([Type.String(), Type.Null()], { description: "null before the first run" }),
          lagBlocks: Type.Union([Type.String(), Type.Null()], { description: "headBlock − lastScannedBlock; RAMPART_EVM_CONFIRMATIONS − 1 when keeping up" }),
          behindAboveBlocks: Type.String({ description: "confirmations + RAMPART_EVM_DEPOSIT_BLOCKS_PER_RUN" }),
        }),
        Type.Null(),
      ]),
    }),
    Type.Null(),
  ],
  { description: "The chain's node (null when no node is used: sandbox or manual chain). Reported only: a degraded chain never fails readiness (payouts wait and retry)" },
);

/** The chain's health as /readyz reports it (block numbers as decimal strings: they outgrow a JSON number's safe range only in theory, but they are bigints). */
function chainReport(h: ChainHealth | null) {
  if (!h) return null;
  const w = h.depositWatcher;
  const behind = w !== null && w.lagBlocks !== null && w.lagBlocks > w.behindAboveBlocks;
  const str = (n: bigint | null) => (n === null ? null : n.toString());
  return {
    status: h.node === "down" || behind ? "degraded" : "ok",
    node: h.node,
    headBlock: str(h.headBlock),
    depositWatcher: w ? { lastScannedBlock: str(w.lastScannedBlock), lagBlocks: str(w.lagBlocks), behindAboveBlocks: w.behindAboveBlocks.toString() } : null,
  };
}

const Ready = Type.Object(
  {
    status: Type.String({
      description: "ready; not_ready (database unreachable, migrations pending or the listener lost); draining (stopping after SIGTERM)",
    }),
    database: Type.String({ description: "ok or unreachable" }),
    pendingMigrations: Type.Array(Type.String()),
    listener: Type.String({ description: "The NOTIFY session that keeps caches current: listening; connecting (its first session being opened) or lost (caches read the database until it listens; lost is not ready); idle" }),
    jobLagSeconds: Type.Integer({ description: "How long the oldest due job has waited (0: none due); alert on it rather than failing readiness" }),
    adapters: Adapters,
    chain: Chain,
  },
  {
    examples: [
      {
        status: "ready",
        database: "ok",
        pendingMigrations: [],
        listener: "listening",
        jobLagSeconds: 0,
        adapters: { rates: "http", kyc: "manual", sms: "http", chain: "evm", cardAcquirer: "none", bankFeed: "statements+inbox" },
        chain: { status: "ok", node: "up", headBlock: "21400000", depositWatcher: { lastScannedBlock: "21399989", lagBlocks: "11", behindAboveBlocks: "112" } },
      },
    ],
  },
);

export async function opsRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  app.get(
    "/healthz",
    { schema: { tags: ["operations"], summary: "Process liveness", response: { 200: Health } } },
    async () => ({ status: "ok" }),
  );

  app.get(
    "/readyz",
    {
      schema: {
        tags: ["operations"],
        summary: "Ready to serve: database reachable, migrations applied, NOTIFY listener up, not draining",
        response: { 200: Ready, 503: Ready },
      },
    },
    async (request, reply) => {
      const chain = chainHealth(deps).then(chainReport); // read beside the database, not after it
      const about = { listener: listenerState(deps), adapters: adaptersInUse(deps) };
      try {
        const { pendingMigrations: pending, jobLagSeconds } = await withTimeout(databaseReadiness(deps), READY_TIMEOUT_MS);
        const status = app.lifecycle.draining ? "draining" : pending.length === 0 && about.listener !== "lost" ? "ready" : "not_ready";
        return reply.code(status === "ready" ? 200 : 503).send({ status, database: "ok", pendingMigrations: pending, jobLagSeconds, ...about, chain: await chain });
      } catch (err) {
        request.log.warn({ err }, "readiness check failed");
        const status = app.lifecycle.draining ? "draining" : "not_ready";
        return reply.code(503).send({ status, database: "unreachable", pendingMigrations: [], jobLagSeconds: 0, ...about, chain: await chain });
      }
    },
  );

  app.get("/metrics", { schema: { tags: ["operations"], summary: "Prometheus metrics" } }, async (_req, reply) => {
    const body = await app.metrics.metrics();
    return reply.type(app.metrics.contentType).send(body);
  });

  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
}
