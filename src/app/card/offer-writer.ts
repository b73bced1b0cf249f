// Offers are the card dialect's hot path: the offers of one process are written together, one
// statement for a batch (app/batching/write-batcher.ts). Each offer keeps its own checks and answer
// (insertOffersWithinLimit).
import { insertOffersWithinLimit, type NewOffer, type NewOfferOutcome } from "../../db/card/offers.js";
import { writeBatcher } from "../batching/write-batcher.js";

/** Inserts the offer if its card and the customer's rolling limit allow, batched with concurrent ones. */
export const writeOffer = writeBatcher<NewOffer, NewOfferOutcome>((database, offers) => insertOffersWithinLimit(database.db, offers), { maxBatch: 64 });
