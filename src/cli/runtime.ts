// What the commands need from the composition root, handed to them by src/main/cli.ts, so cli/ never
// imports main/ (the dependency points one way: main wires cli).
import type { Deps } from "../app/deps.js";
import type { SandboxCredentials } from "../app/sandbox/sandbox-credentials.js";
import type { Config, ProcessRole } from "../config/config.js";
import type { PlannedMigration } from "../db/migrate.js";

interface RunningGateway {
  url: string | null;
  credentials: SandboxCredentials | null;
  stop(): Promise<void>;
}

interface BackupRunOptions {
  /** backup: replace an existing file; restore: replace a data dir that is not empty. */
  force: boolean;
  progress(line: string): void;
}

export interface CliRuntime {
  /** Deps for a one-shot command (quiet logs; database checked against the secret and migrated), closed after `fn`. */
  withDeps<T>(fn: (deps: Deps) => Promise<T>): Promise<T>;
  /** Opens the database, checks the secret, applies pending migrations; returns the names applied. */
  migrate(config: Config): Promise<string[]>;
  /** Opens the database and lists the migrations `migrate` would apply, changing nothing. */
  planMigrations(config: Config): Promise<PlannedMigration[]>;
  /** Writes an encrypted backup of the embedded database and the data dir's files to `file` (app/ops/embedded-backup.ts). */
  backup(config: Config, file: string, opts: BackupRunOptions): Promise<void>;
  /** Restores `file` into the embedded data dir: all or nothing (app/ops/embedded-backup.ts). */
  restore(config: Config, file: string, opts: BackupRunOptions): Promise<void>;
  /** Starts the HTTP server and/or worker of `role` (migrated, checked, sandbox seeded). */
  start(config: Config, role: ProcessRole): Promise<RunningGateway>;
}
