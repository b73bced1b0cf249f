// A loopback JSON-RPC proxy in front of anvil that a test switches into the ways a real node fails:
//  - "pass": every request goes to the node and its answer comes back unchanged;
//  - "refuse": nothing listens on the port (connection refused) until the mode changes;
//  - "unavailable": 503 with a text body;
//  - "hold": the request reaches the node (a transaction sent this way is in its pool), but the answer
//    is held until the test calls release() — the adapter's own timeout gives up first;
//  - "garbage": the answer is 200 but not usable (see GarbageKind).
// Every request is counted by JSON-RPC method, and a test waits for the event itself (untilSeen,
// untilHeld) rather than sleeping.
import http from "node:http";
import type { AddressInfo } from "node:net";

export type RpcProxyMode = "pass" | "refuse" | "unavailable" | "hold" | "garbage";

/**
 * - "invalid-json": a truncated JSON document;
 * - "html": an HTML error page with status 200 (a captive portal, a misrouted load balancer);
 * - "wrong-shape": valid JSON-RPC whose result has the wrong type for the method (an object where a
 *   quantity is due, a receipt or block without its fields);
 * - "no-result": `{"jsonrpc":"2.0","id":…}` with neither result nor error;
 * - "partial": a receipt or block that looks right at a glance (the hash asked for, a block number
 *   and hash) but lacks the rest (no status, no gas, no transaction list); other methods as "wrong-shape".
 */
export type GarbageKind = "invalid-json" | "html" | "wrong-shape" | "no-result" | "partial";

interface RpcCall {
  id?: unknown;
  method?: string;
  params?: unknown[];
}

const randomHash = () => `0x${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("hex")}`;

function partial(call: RpcCall): unknown {
  const asked = call.params?.[0];
  if (call.method === "eth_getTransactionReceipt") return { jsonrpc: "2.0", id: call.id ?? null, result: { transactionHash: asked, blockNumber: "0x1", blockHash: randomHash() } };
  if (call.method === "eth_getBlockByNumber") {
    const number = typeof asked === "string" && asked.startsWith("0x") ? asked : "0x1";
    return { jsonrpc: "2.0", id: call.id ?? null, result: { number, hash: randomHash(), parentHash: randomHash() } };
  }
  return wrongShape(call);
}

export interface RpcProxy {
  url: string;
  mode(): RpcProxyMode;
  /**
   * Switches the mode, for every method or only those in `methods` (the others pass); "refuse"
   * resolves once the port is closed, leaving it once it listens again.
   */
  set(mode: RpcProxyMode, opts?: { garbage?: GarbageKind; methods?: string[] }): Promise<void>;
  /** Requests received for `method` since the start (single and batched calls). */
  seen(method: string): number;
  /** Resolves once `n` requests for `method` have been received in all. */
  untilSeen(method: string, n: number): Promise<void>;
  /** Resolves once `n` answers are held (mode "hold"). */
  untilHeld(n: number): Promise<void>;
  /** Sends every held answer on (to a caller that has usually given up by then). */
  release(): void;
  close(): Promise<void>;
}

function wrongShape(call: RpcCall): unknown {
  const result = call.method === "eth_getTransactionReceipt" || call.method?.startsWith("eth_getBlockBy") ? { garbage: true } : { unexpected: [1, 2, 3] };
  return { jsonrpc: "2.0", id: call.id ?? null, result };
}

function garbageBody(kind: GarbageKind, calls: RpcCall[], batch: boolean): { type: string; body: string } {
  switch (kind) {
    case "invalid-json":
      return { type: "application/json", body: '{"jsonrpc":"2.0","id":1,"result":"0x' };
    case "html":
      return { type: "text/html", body: "<html><body><h1>Bad gateway</h1></body></html>" };
    case "no-result": {
      const answers = calls.map((c) => ({ jsonrpc: "2.0", id: c.id ?? null }));
      return { type: "application/json", body: JSON.stringify(batch ? answers : answers[0]) };
    }
    case "wrong-shape":
    case "partial": {
      const answers = calls.map(kind === "partial" ? partial : wrongShape);
      return { type: "application/json", body: JSON.stringify(batch ? answers : answers[0]) };
    }
  }
}

export async function startRpcProxy(upstream: string): Promise<RpcProxy> {
  let mode: RpcProxyMode = "pass";
  let garbage: GarbageKind = "wrong-shape";
  let only: Set<string> | null = null;
  const counts = new Map<string, number>();
  const held: (() => void)[] = [];
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of [...waiters]) w();
  };
  const until = (done: () => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (done()) {
          waiters.delete(check);
          resolve();
        }
      };
      waiters.add(check);
      check();
    });

  async function answer(req: http.IncomingMessage, res: http.ServerResponse, body: string): Promise<void> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = {};
    }
    const batch = Array.isArray(parsed);
    const calls = (batch ? parsed : [parsed]) as RpcCall[];
    for (const c of calls) counts.set(String(c.method), (counts.get(String(c.method)) ?? 0) + 1);
    notify();
    const failing = only === null || calls.some((c) => only!.has(String(c.method)));
    const now: RpcProxyMode = failing ? mode : "pass";
    if (now === "unavailable") {
      res.writeHead(503, { "content-type": "text/plain" }).end("Service Unavailable");
      return;
    }
    if (now === "garbage") {
      const g = garbageBody(garbage, calls, batch);
      res.writeHead(200, { "content-type": g.type }).end(g.body);
      return;
    }
    const holding = now === "hold";
    const forwarded = await fetch(upstream, { method: "POST", headers: { "content-type": "application/json" }, body });
    const text = await forwarded.text();
    if (holding) {
      await new Promise<void>((release) => {
        held.push(release);
        notify();
      });
    }
    if (!res.destroyed) res.writeHead(forwarded.status, { "content-type": "application/json" }).end(text);
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      answer(req, res, Buffer.concat(chunks).toString("utf8")).catch(() => {
        if (!res.destroyed) res.writeHead(502).end();
      });
    });
  });
  const listen = (port: number) => new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, "127.0.0.1", () => resolve()));
  await listen(0);
  const port = (server.address() as AddressInfo).port;

  const release = () => {
    for (const r of held.splice(0)) r();
  };
  return {
    url: `http://127.0.0.1:${port}`,
    mode: () => mode,
    async set(next, opts = {}) {
      if (mode === "refuse" && next !== "refuse") await listen(port);
      if (next === "refuse" && mode !== "refuse") {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
      }
      mode = next;
      garbage = opts.garbage ?? "wrong-shape";
      only = opts.methods ? new Set(opts.methods) : null;
    },
    seen: (method) => counts.get(method) ?? 0,
    untilSeen: (method, n) => until(() => (counts.get(method) ?? 0) >= n),
    untilHeld: (n) => until(() => held.length >= n),
    release,
    async close() {
      release();
      if (mode === "refuse") return;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
