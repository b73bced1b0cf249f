// Offers are the card dialect's hot path, and on this kind of machine each database round trip costs
// more server CPU than the rest of the request. So the offers of one process are written together:
// the first goes at once; while a statement is in flight, the next offers queue and go as one batch
// (at most MAX_BATCH) when it returns. Under light load nothing waits; under heavy load one round trip
// and one commit serve many offers. Each offer keeps its own checks and answer (insertOffersWithinLimit).
import type { Database } from "../../db/connect.js";
import { insertOffersWithinLimit, type NewOffer, type NewOfferOutcome } from "../../db/card/offers.js";

const MAX_BATCH = 64;

interface Pending {
  offer: NewOffer;
  resolve(outcome: NewOfferOutcome): void;
  reject(err: unknown): void;
}

class OfferWriter {
  private readonly queue: Pending[] = [];
  private flushing = false;

  constructor(private readonly database: Database) {}

  write(offer: NewOffer): Promise<NewOfferOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ offer, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        try {
          const outcomes = await insertOffersWithinLimit(this.database.db, batch.map((p) => p.offer));
          batch.forEach((p, i) => p.resolve(outcomes[i]!));
        } catch (err) {
          if (batch.length === 1) batch[0]!.reject(err);
          // One offer's failure must not fail the others: each is retried on its own.
          else for (const p of batch) insertOffersWithinLimit(this.database.db, [p.offer]).then(([o]) => p.resolve(o!), p.reject);
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}

const writers = new WeakMap<Database, OfferWriter>();

/** Inserts the offer if its card and the customer's rolling limit allow, batched with concurrent ones. */
export function writeOffer(database: Database, offer: NewOffer): Promise<NewOfferOutcome> {
  let writer = writers.get(database);
  if (!writer) writers.set(database, (writer = new OfferWriter(database)));
  return writer.write(offer);
}
