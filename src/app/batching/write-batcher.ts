// On this kind of machine each database round trip and each commit cost more than the rest of a
// create, so the hot creates of one process are written together: the first goes at once; while a
// batch is in flight the next ones queue and go as one batch (at most maxBatch) when it returns. Under
// light load nothing waits; under heavy load one statement (card offers) or one transaction and one
// commit (intents) serve many. Each member keeps its own answer: a batch of several that fails is run
// again member by member, so a failure reaches only the caller whose member caused it.
import { AppError } from "../../core/shared/errors.js";
import type { Database } from "../../db/connect.js";
import { outsideAuditScope } from "../../db/audit/audit-scope.js";

interface BatchOptions {
  maxBatch: number;
  /** Batches in flight at once (default 1): more than one lets a batch whose members each take several round trips overlap the next. */
  maxInFlight?: number;
  /** Members waiting at most (default 64 batches): past it a write is refused (503) rather than queued without end. */
  maxQueued?: number;
}

interface Pending<I, O> {
  item: I;
  resolve(out: O): void;
  reject(err: unknown): void;
}

class WriteBatcher<I, O> {
  private readonly queue: Pending<I, O>[] = [];
  private inFlight = 0;

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly opts: BatchOptions,
  ) {}

  write(item: I): Promise<O> {
    if (this.queue.length >= (this.opts.maxQueued ?? 64 * this.opts.maxBatch)) {
      return Promise.reject(new AppError("service_unavailable", { message: "Too many writes are waiting; try again shortly." }));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      // A batch serves several requests: it runs outside the one that happened to start it, so that
      // request's operator audit scope (db/audit/audit-scope.ts) cannot land in the others' transaction.
      if (this.inFlight < (this.opts.maxInFlight ?? 1)) void outsideAuditScope(() => this.drain());
    });
  }

  private async drain(): Promise<void> {
    this.inFlight++;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.opts.maxBatch);
        try {
          const outs = await this.run(batch.map((p) => p.item));
          // The answers are rendered once the next batch (started by the loop right below) has sent
          // its first statement: setImmediate runs after the promise continuations that start it,
          // which reach the socket write without waiting for I/O. Resolved here, each answer's
          // continuations (serialize, hooks, socket write) ran interleaved with that start, and
          // the next batch's statement left only after most of them.
          setImmediate(() => batch.forEach((p, i) => p.resolve(outs[i]!)));
        } catch (err) {
          if (batch.length === 1) batch[0]!.reject(err);
          // One member's failure must not fail the others: each is run again on its own, one after
          // another within this batch's in-flight slot, so the reruns never take more connections.
          else for (const p of batch) await this.run([p.item]).then(([o]) => p.resolve(o!), p.reject);
        }
      }
    } finally {
      this.inFlight--;
    }
  }
}

/**
 * A batched writer per database: `run` writes the members given (in order) and returns one answer per
 * member, in the same order; it must write all of them or throw (then nothing of the batch committed).
 */
export function writeBatcher<I, O>(run: (database: Database, items: I[]) => Promise<O[]>, opts: BatchOptions): (database: Database, item: I) => Promise<O> {
  const batchers = new WeakMap<Database, WriteBatcher<I, O>>();
  return (database, item) => {
    let b = batchers.get(database);
    if (!b) batchers.set(database, (b = new WriteBatcher((items) => run(database, items), opts)));
    return b.write(item);
  };
}
