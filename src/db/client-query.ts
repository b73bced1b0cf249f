// What each pooled PostgreSQL connection does to the statements Kysely sends it (connect.ts):
//  - a hot statement (hot-statements.ts) goes by its name, which pg prepares on this connection the
//    first time and reuses after;
//  - a transaction's BEGIN does not wait for its own answer. Kysely sends BEGIN and awaits it before
//    the transaction's first statement, one round trip that carries nothing (issue 16: 1.4 ms of a
//    9 ms trading batch, every transaction paid it). The pool runs pg in pipeline mode, so BEGIN
//    goes out at once, Kysely is answered at once, and its first statement follows BEGIN on the wire
//    without waiting; PostgreSQL runs them in order, so the statement is inside the transaction as
//    before. BEGIN's own failure (a lost connection) is reported as that statement's. The same goes
//    for a SET LOCAL, whose answer carries nothing either (create-batch.ts sets its plan mode so);
//  - the statements it is given in one turn of the event loop leave in ONE socket write: the first
//    corks the socket and the uncork waits for the end of the turn (process.nextTick, which runs
//    once the promise continuations queued now have run). So BEGIN and the first statement, or the
//    statements pipelined.ts sends together, cost one write and one wake-up of the server process:
//    on this kind of machine a loopback write that wakes PostgreSQL costs more CPU than building the
//    statement (issue 16: 22 % of the intent create's server CPU was in writev);
//  - a transaction's early COMMIT (pipelined.ts EARLY_COMMIT), sent by the transaction's own code with
//    its last statements, stands for the COMMIT or ROLLBACK Kysely sends once that code has returned:
//    that one is answered from the early one's answer and not sent. Where the two disagree (Kysely
//    would commit a transaction the early COMMIT rolled back, or roll back one it committed) Kysely
//    is told so by an error; a statement sent between them is refused, as it would run outside the
//    transaction.
import type pg from "pg";
import { hotStatementName } from "./hot-statements.js";

type Query = (...args: unknown[]) => unknown;

/** What pipelined.ts sends as a transaction's early COMMIT. */
export const EARLY_COMMIT_TEXT = "COMMIT -- early: sent with the transaction's last statements";

/** What Kysely's PostgreSQL driver sends to end a transaction. */
const ENDS_TRANSACTION = /^(commit|rollback)$/i;

/** What Kysely's PostgreSQL driver sends to open a transaction (with or without isolation settings), and SET LOCAL. */
const ANSWERS_NOTHING = /^\s*(begin|start transaction|set local)\b/i;

/** The answer Kysely is given at once for such a statement (`opening`: ANSWERS_NOTHING's match). */
const emptyAnswer = (opening: string) => ({ command: opening.toLowerCase() === "set local" ? "SET" : "BEGIN", rowCount: null, rows: [], fields: [] });

/** Installs the wrapper on a client of a pool created with `pipeline: true`. */
export function wrapClientQuery(client: pg.PoolClient): void {
  // The class's query is looked up on each call, not kept, so whatever wraps pg.Client.prototype.query
  // later (test/support/statement-count.ts) still sees every statement.
  const proto = Object.getPrototypeOf(client) as { query: Query };
  /** Statements sent and not waited for (ANSWERS_NOTHING): the next statement reports their failure. */
  let unanswered: Promise<unknown>[] = [];
  /** This client's early COMMIT, sent and not yet followed by Kysely's own end of its transaction. */
  let early: Promise<{ command: string }> | null = null;
  let corked = false;
  const stream = (client as unknown as { connection: { stream: { cork(): void; uncork(): void } } }).connection.stream;
  const uncork = () => {
    corked = false;
    stream.uncork();
  };
  (client as unknown as { query: Query }).query = (...args: unknown[]) => {
    if (!corked) {
      corked = true;
      stream.cork();
      process.nextTick(uncork);
    }
    const [text, values] = args;
    // (text, values): how Kysely sends every statement.
    const fromKysely = typeof text === "string" && args.length === 2;
    if (early && fromKysely) return answerAfterEarlyCommit(text);
    const opening = fromKysely ? ANSWERS_NOTHING.exec(text) : null;
    if (opening) {
      const sent = proto.query.call(client, text, values) as Promise<unknown>;
      // Not unhandled in the meantime: the next statement reports it.
      sent.catch(() => {});
      unanswered.push(sent);
      return Promise.resolve(emptyAnswer(opening[1]!));
    }
    const name = fromKysely ? hotStatementName(text) : undefined;
    const sent = name ? proto.query.call(client, { name, text, values }) : proto.query.apply(client, args);
    const pending = unanswered;
    unanswered = [];
    const answer = pending.length > 0 && fromKysely ? Promise.all([...pending, sent]).then((answers) => answers[answers.length - 1]) : sent;
    if (fromKysely && text === EARLY_COMMIT_TEXT) early = answer as Promise<{ command: string }>;
    return answer;
  };

  /** Kysely's statement after this client's early COMMIT: its end of the transaction, answered from the early one. */
  function answerAfterEarlyCommit(text: string): Promise<unknown> {
    const ending = ENDS_TRANSACTION.exec(text)?.[1]!.toLowerCase();
    if (!ending) return Promise.reject(new Error("A statement was sent after its transaction's early COMMIT: it would run outside the transaction."));
    const answer = early!;
    early = null;
    return answer.then(
      (a) => {
        const committed = a.command === "COMMIT";
        if (ending === "commit" && !committed) throw new Error("The transaction's early COMMIT rolled it back (a statement before it failed).");
        if (ending === "rollback" && committed) throw new Error("The transaction cannot be rolled back: its early COMMIT has committed it.");
        return a;
      },
      (err: unknown) => {
        // The early COMMIT failed, and its sender was told; the transaction is over, rolled back.
        if (ending === "commit") throw err;
        return { command: "ROLLBACK", rowCount: null, rows: [], fields: [] };
      },
    );
  }
}
