// A real loopback HTTP receiver for webhook tests and benchmarks. `script` decides each reply from the
// request and how many requests came before it; every request is recorded, and a test waits for a
// number of them (`reached`) rather than sleeping.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  receivedAt: number;
}

export interface ScriptedReply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Wait this long before answering (a slow receiver). */
  delayMs?: number;
  /** Answer only once this settles (a receiver that hangs until the test lets it go). */
  hold?: Promise<unknown>;
}

export type ReceiverScript = (req: ReceivedRequest, index: number) => ScriptedReply;

export interface Receiver {
  url: string;
  received: ReceivedRequest[];
  /** Resolves once `n` requests (those `match` accepts) have been received. */
  reached(n: number, match?: (r: ReceivedRequest) => boolean): Promise<void>;
  setScript(s: ReceiverScript): void;
  close(): Promise<void>;
}

export async function startReceiver(script: ReceiverScript = () => ({ status: 200, body: "ok" })): Promise<Receiver> {
  let current = script;
  const received: ReceivedRequest[] = [];
  const waiters = new Set<() => void>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const r: ReceivedRequest = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), receivedAt: Date.now() };
      const index = received.push(r) - 1;
      const reply = current(r, index);
      for (const w of [...waiters]) w();
      const send = () => {
        if (!res.destroyed) res.writeHead(reply.status, reply.headers).end(reply.body ?? "");
      };
      if (reply.hold) void reply.hold.finally(send);
      else if (reply.delayMs) setTimeout(send, reply.delayMs).unref();
      else send();
    });
  });
  // Idle connections stay open longer than the sender keeps them (4 s), so the sender always closes
  // first. A short server timeout raced the sender's reuse of a pooled connection on a loaded machine:
  // the request met a socket the server had just closed, failed, and went to the retry schedule, and a
  // test waiting for that delivery then waited out the retry delay (CI: webhook-pool hung 120 s).
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    reached: (n, match = () => true) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (received.filter(match).length < n) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      }),
    setScript(s) {
      current = s;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
