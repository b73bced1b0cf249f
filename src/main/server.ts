// Runs Rampart on deps whose database is open and migrated (buildDeps): sandbox seed, HTTP server and/or worker, graceful shutdown.
//
// stop() drains: /readyz turns 503 "draining" (for RAMPART_DRAIN_DELAY_MS, while a load balancer takes
// the process out), then the listener closes: new connections are refused, requests in flight finish
// and a request arriving on a kept-alive connection is answered 503. The worker finishes the job or
// delivery it is running and releases the rest of its claimed batch; then the database closes.
import type { FastifyInstance } from "fastify";
import type { Deps } from "../app/deps.js";
import { type SandboxCredentials } from "../app/sandbox/sandbox-credentials.js";
import { seedSandbox } from "../app/sandbox/seed.js";
import type { ProcessRole } from "../config/config.js";
import { buildApp } from "../http/build-app.js";
import { serveSnapshots } from "./snapshot-socket.js";
import { type RunningWorker, startWorker } from "./worker.js";

interface RunningRampart {
  url: string | null;
  credentials: SandboxCredentials | null;
  stop(): Promise<void>;
}

export async function startRampart(deps: Deps, role: ProcessRole): Promise<RunningRampart> {
  let credentials: SandboxCredentials | null = null;
  try {
    if (deps.config.mode === "sandbox") credentials = await seedSandbox(deps);
  } catch (err) {
    // e.g. a database that has run in live mode: the command ends with one line, not a hung pool.
    await deps.database.close();
    throw err;
  }

  let app: FastifyInstance | null = null;
  let url: string | null = null;
  if (role !== "worker") {
    // A gateway that starts answers every route: a response schema that cannot compile stops it here,
    // not at a route's first answer in production (about 0.6 s of CPU, once).
    app = await buildApp(deps, { serializers: "eager" });
    await app.listen({ port: deps.config.port, host: deps.config.host });
    const address = app.server.address();
    const port = typeof address === "object" && address ? address.port : deps.config.port;
    url = `http://localhost:${port}`;
  }
  const worker: RunningWorker | null = role !== "api" ? startWorker(deps) : null;
  // The embedded database lives in this process: `rampart backup` asks it for the snapshot.
  const stopSnapshots = deps.database.engine === "pglite" ? await serveSnapshots(deps) : null;

  return {
    url,
    credentials,
    async stop() {
      if (app) {
        app.lifecycle.draining = true;
        if (deps.config.drainDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, deps.config.drainDelayMs));
        await app.close();
      }
      await worker?.stop();
      await stopSnapshots?.();
      await deps.database.close();
    },
  };
}
