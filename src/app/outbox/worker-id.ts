// This process's identity as a claimer of jobs and webhook messages (stored in locked_by). Unique per
// process start, so a restarted process never mistakes an old lease for its own.
import { randomBytes } from "node:crypto";
import os from "node:os";

export const WORKER_ID = `${os.hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
