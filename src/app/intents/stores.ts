// Creating a merchant's store (operator API), optionally with its payment-intent settings in the
// same transaction, so a store never exists half set up.
import { type IntentStoreSettings, checkIntentStoreSettings } from "../../core/intents/store-settings.js";
import { AppError } from "../../core/shared/errors.js";
import { findMerchant } from "../../db/credentials.js";
import { insertStore } from "../../db/stores.js";
import type { Deps } from "../deps.js";
import { type SavedIntentSettings, writeIntentSettings } from "./store-settings.js";

interface CreateStoreInput {
  /** Chosen by the operator (a retry then gets 409 instead of a second store); generated when absent. */
  id?: string;
  name: string;
  intentSettings?: IntentStoreSettings;
}

interface CreatedStore {
  storeId: string;
  merchantId: string;
  name: string;
  createdAt: Date;
  intentSettings: SavedIntentSettings | null;
}

export async function createStore(deps: Deps, merchantId: string, input: CreateStoreInput): Promise<CreatedStore> {
  if (!(await findMerchant(deps.database.db, merchantId))) throw new AppError("not_found", { message: "Merchant not found." });
  const storeId = input.id ?? deps.ids.prefixed("store");
  const name = input.name.trim();
  if (name.length === 0) throw new AppError("validation_failed", { field: "name", message: "name must not be blank." });
  // Checked before anything is written, with the field names of the create body.
  if (input.intentSettings) checkIntentStoreSettings(input.intentSettings, "intentSettings.");
  const createdAt = deps.clock.now();
  return deps.database.db.transaction().execute(async (trx) => {
    if (!(await insertStore(trx, { id: storeId, merchantId, name, createdAt }))) {
      throw new AppError("conflict", { field: "id", message: `A store with id ${storeId} already exists.` });
    }
    const intentSettings = input.intentSettings ? await writeIntentSettings(deps, trx, storeId, input.intentSettings) : null;
    return { storeId, merchantId, name, createdAt, intentSettings };
  });
}
