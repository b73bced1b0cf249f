// The server secret (encryption and token signing). Live mode must be given one; the embedded
// sandbox generates one on first start and keeps it in the data dir so restarts keep their data.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { SecretSource } from "../app/secret/key-check.js";
import type { Config } from "../config/config.js";
import { ConfigError } from "../config/config.js";

const generatedFile = (config: Config) => path.join(config.dataDir, "secret.key");

export function resolveSecretKey(config: Config): string {
  if (config.secretKey) return config.secretKey;
  if (config.mode !== "sandbox") throw new ConfigError("RAMPART_SECRET_KEY", "is required in live mode");
  const file = generatedFile(config);
  try {
    fs.mkdirSync(config.dataDir, { recursive: true });
    try {
      fs.writeFileSync(file, randomBytes(32).toString("hex"), { flag: "wx", mode: 0o600 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    return fs.readFileSync(file, "utf8").trim();
  } catch (err) {
    throw new ConfigError("RAMPART_DATA_DIR", `cannot keep the generated secret in ${file}: ${(err as Error).message}`);
  }
}

/** How the key-check error names the secret this process uses, and what to do about it. */
export function secretSource(config: Config): SecretSource {
  if (config.secretKey) {
    return {
      name: "RAMPART_SECRET_KEY",
      remedy: "give every process the same RAMPART_SECRET_KEY (during a rotation, the old one as RAMPART_PREVIOUS_SECRET_KEY)",
    };
  }
  return {
    name: `the generated secret in ${generatedFile(config)} (RAMPART_SECRET_KEY is not set)`,
    remedy: "set RAMPART_SECRET_KEY to the database's secret, or RAMPART_DATA_DIR to the data dir that set it up",
  };
}

/**
 * The secrets this process has, without generating one: RAMPART_SECRET_KEY (and, during a rotation,
 * RAMPART_PREVIOUS_SECRET_KEY), else the sandbox's generated secret if the data dir has one.
 */
export function existingSecretKeys(config: Config): string[] {
  if (config.secretKey) return config.previousSecretKey ? [config.secretKey, config.previousSecretKey] : [config.secretKey];
  try {
    return [fs.readFileSync(generatedFile(config), "utf8").trim()];
  } catch {
    return [];
  }
}
