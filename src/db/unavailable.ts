// A database that cannot be reached or opened is one line for the operator (what, where, which
// variable), never a driver stack trace. The PostgreSQL probe runs once per process, before the pool,
// so an unreachable server or a database that does not exist stops the command at once.
import pg from "pg";

export class DatabaseUnavailableError extends Error {
  constructor(
    message: string,
    /** The driver's code: a PostgreSQL SQLSTATE ("3D000": no such database) or a socket error. */
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = "DatabaseUnavailableError";
  }
}

const PROBE_TIMEOUT_MS = 10_000;

function firstLine(message: string): string {
  return message.split("\n")[0]!.trim();
}

/** Says what went wrong with DATABASE_URL without repeating its password. */
export function postgresProblem(url: string, err: unknown): DatabaseUnavailableError {
  const u = new URL(url);
  const where = `${u.hostname}:${u.port || "5432"}`;
  const name = decodeURIComponent(u.pathname.slice(1)) || decodeURIComponent(u.username);
  const code = (err as { code?: string }).code;
  const message = firstLine((err as Error).message ?? String(err));
  const text = (() => {
    switch (code) {
      case "3D000":
        return `database "${name}" does not exist on the PostgreSQL server at ${where} (DATABASE_URL): create it (createdb ${name}) or point DATABASE_URL at one that exists`;
      case "ECONNREFUSED":
        return `cannot reach PostgreSQL at ${where} (DATABASE_URL): connection refused; is the server running there?`;
      case "ENOTFOUND":
      case "EAI_AGAIN":
        return `cannot resolve the PostgreSQL host "${u.hostname}" (DATABASE_URL)`;
      case "28P01":
      case "28000":
        return `PostgreSQL at ${where} refused the login of "${decodeURIComponent(u.username)}" (DATABASE_URL): ${message}`;
      default:
        return `cannot open database "${name}" on PostgreSQL at ${where} (DATABASE_URL): ${message}`;
    }
  })();
  return new DatabaseUnavailableError(text, code);
}

/** Connects once with its own client (not the pool) and runs `select 1`. */
export async function probePostgres(url: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on("error", () => {}); // reported by connect/query below
  try {
    await client.connect();
    await client.query("select 1");
  } catch (err) {
    throw postgresProblem(url, err);
  } finally {
    await client.end().catch(() => {});
  }
}

/** The embedded database could not be opened in `dataDir`. */
export function embeddedProblem(dataDir: string, err: unknown): DatabaseUnavailableError {
  return new DatabaseUnavailableError(
    `cannot open the embedded database in ${dataDir} (RAMPART_DATA_DIR): ${firstLine((err as Error).message ?? String(err))}`,
    (err as { code?: string }).code,
  );
}
