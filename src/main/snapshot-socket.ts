// The embedded database's snapshot channel: a Unix socket in the data dir (mode 0600) on which the
// process holding PGlite answers `GET /snapshot` with a consistent copy of its data dir, so
// `rampart backup` works while the server runs (app/ops/embedded-backup.ts is the other end). Only
// whoever may open the data dir may connect; the copy is as secret as the data dir itself.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { Readable } from "node:stream";
import type { ReadableStream } from "node:stream/web";
import type { Deps } from "../app/deps.js";
import { KEY_ID_HEADER, SNAPSHOT_SOCKET } from "../app/ops/embedded-backup.js";
import { secretKeyId } from "../core/crypto/secret-box.js";

/** Unix socket paths longer than this are refused by the kernel (sun_path is 108 bytes on Linux). */
const MAX_SOCKET_PATH = 107;

/** Starts answering on `<dataDir>/backup.sock`; resolves with the function that stops it. */
export async function serveSnapshots(deps: Deps): Promise<() => Promise<void>> {
  const socketPath = path.join(deps.config.dataDir, SNAPSHOT_SOCKET);
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
    deps.logger.warn({ socketPath }, "data dir path too long for the backup socket: `rampart backup` works only while the server is stopped");
    return async () => {};
  }
  const server = http.createServer((req, res) => {
    if (req.method !== "GET" || req.url !== "/snapshot") {
      res.writeHead(404).end();
      return;
    }
    const started = Date.now();
    deps.database.snapshot().then(
      (blob) => {
        deps.logger.info({ bytes: blob.size, ms: Date.now() - started }, "database snapshot taken for a backup");
        res.writeHead(200, { "content-type": "application/x-tar", "content-length": blob.size, [KEY_ID_HEADER]: secretKeyId(deps.config.secretKey) });
        Readable.fromWeb(blob.stream() as ReadableStream<Uint8Array>).pipe(res);
      },
      (err: unknown) => {
        deps.logger.error({ err }, "database snapshot for a backup failed");
        res.writeHead(500).end();
      },
    );
  });
  // This process holds the data dir's lock: a socket file here was left by a process that is gone.
  fs.rmSync(socketPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => resolve());
  });
  fs.chmodSync(socketPath, 0o600);
  return () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
}
