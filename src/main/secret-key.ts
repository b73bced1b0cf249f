// The server secret (encryption and token signing). Live mode must be given one; the embedded
// sandbox generates one on first start and keeps it in the data dir so restarts keep their data.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Config } from "../config/config.js";
import { ConfigError } from "../config/config.js";

export function resolveSecretKey(config: Config): string {
  if (config.secretKey) return config.secretKey;
  if (config.mode !== "sandbox") throw new ConfigError("RAMPART_SECRET_KEY", "is required in live mode");
  const file = path.join(config.dataDir, "secret.key");
  fs.mkdirSync(config.dataDir, { recursive: true });
  try {
    fs.writeFileSync(file, randomBytes(32).toString("hex"), { flag: "wx", mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  return fs.readFileSync(file, "utf8").trim();
}
