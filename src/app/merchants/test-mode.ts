// Test mode (issue 19): a merchant's test keys belong to its test twin, a merchant row with test_of set,
// made the first time a test key is issued. Its payments run on deps.testPorts (always the sandbox
// adapters), so a test payment in a live installation never reaches a live vendor.
import type { Database } from "../../db/connect.js";
import { findMerchant } from "../../db/credentials.js";
import { findTrader } from "../../db/trading/traders.js";
import { findTradingSettings, upsertTradingSettings } from "../../db/trading/settings.js";
import { ensureTestTwinRow, findTestTwinId, insertMirrorStore, unmirroredStores } from "../../db/merchants.js";
import type { Db } from "../../db/schema.js";
import type { Deps } from "../deps.js";
import type { Ports } from "../ports.js";

export type KeyMode = "live" | "test";

/**
 * The live merchant's twin, made on first use (a concurrent first use gets the same row: the unique
 * index on test_of decides), with a mirror of each live store it lacks (fresh ids, no settings: the
 * test store is set up like a live one) and the live trading settings. Run in the caller's transaction.
 */
export async function ensureTestTwin(deps: Deps, trx: Db, live: { id: string; name: string }) {
  const now = deps.clock.now();
  const twin = await ensureTestTwinRow(trx, { id: deps.ids.uuid(), liveId: live.id, name: live.name, createdAt: now });
  for (const s of await unmirroredStores(trx, live.id, twin.id)) {
    await insertMirrorStore(trx, { id: deps.ids.prefixed("store_test"), twinId: twin.id, liveStoreId: s.id, name: s.name, createdAt: now });
  }
  // The operator turns trading on per merchant and refuses twin ids (merchantOr404), so a twin takes
  // its live merchant's trading settings once, when it has none: its test pay-ins then work as live
  // ones do. The callback URL is left out, so test events never reach the live integration's URL
  // until the merchant sets one with a test key.
  const trading = await findTradingSettings(trx, live.id);
  if (trading) await upsertTradingSettings(trx, { ...trading, merchant_id: twin.id, webhook_url: null, created_at: now }, false);
  return twin;
}

/**
 * The portal's switch to test mode: the live merchant's twin, made (with mirrors of stores added since)
 * in one transaction, so the twin's pages show every live store's test id. Returns the twin's id.
 */
export async function enterTestMode(deps: Deps, live: { id: string; name: string }): Promise<string> {
  return (await deps.database.db.transaction().execute((trx) => ensureTestTwin(deps, trx, live))).id;
}

/** The twin a test-mode portal session acts for; undefined if none was made yet. */
export const testTwinIdOf = (deps: Deps, liveId: string) => findTestTwinId(deps.database.db, liveId);

// Whether a merchant is a twin never changes (test_of is written once, at insert), so the answer is
// kept per database for the life of the process; bounded, as a merchant id can come from a request.
const modes = new WeakMap<Database, Map<string, boolean>>();
const MAX_MODES = 10_000;

/**
 * True for a test twin; false for a live merchant and for an unknown id. Pass the transaction as `db`
 * when inside one: on the embedded database the outer handle would wait for it forever.
 */
export async function isTestMerchant(deps: Deps, merchantId: string, db: Db = deps.database.db): Promise<boolean> {
  let known = modes.get(deps.database);
  if (!known) modes.set(deps.database, (known = new Map()));
  const hit = known.get(merchantId);
  if (hit !== undefined) return hit;
  const row = await findMerchant(db, merchantId);
  if (!row) return false;
  if (known.size >= MAX_MODES) known.clear();
  known.set(merchantId, row.test_of !== null);
  return row.test_of !== null;
}

/**
 * The adapters a merchant's payments use: the sandbox ones for a test twin, the configured ones
 * otherwise (and for no merchant). A trader's money goes through portsForOwner.
 */
export async function portsFor(deps: Deps, merchantId: string | null, db?: Db): Promise<Ports> {
  return merchantId !== null && (await isTestMerchant(deps, merchantId, db)) ? deps.testPorts : deps.ports;
}

/**
 * The adapters the money of a withdrawal or deposit address moves on, by its owner: a test trader's
 * (play money, booked against the test platform by platformOwnerForTrader) on the sandbox ones, so it
 * can never leave the live hot wallet; a merchant's as portsFor. Pass the transaction as `db` inside one.
 */
export async function portsForOwner(deps: Deps, owner: { merchantId: string | null; traderId: string | null }, db: Db = deps.database.db): Promise<Ports> {
  if (owner.traderId === null) return portsFor(deps, owner.merchantId, db);
  return (await findTrader(db, owner.traderId))?.test ? deps.testPorts : deps.ports;
}

/** The owner of the platform's own ledger accounts (fees, inventory, clearing) for live money. */
const LIVE_PLATFORM = "platform";
/** The same accounts for a test twin's money, so test payments never move the live platform balances. */
const TEST_PLATFORM = "platform:test";

/** Whose platform accounts a merchant's money moves: TEST_PLATFORM for a twin, LIVE_PLATFORM otherwise (and for no merchant). */
export async function platformOwnerFor(deps: Deps, merchantId: string | null, db?: Db): Promise<string> {
  return merchantId !== null && (await isTestMerchant(deps, merchantId, db)) ? TEST_PLATFORM : LIVE_PLATFORM;
}

/**
 * Whose platform accounts a trader's own money (deposit funding, on-chain deposit credits, withdrawals)
 * moves: TEST_PLATFORM for a test trader, so funding one never draws on the live platform's balances.
 */
export async function platformOwnerForTrader(deps: Deps, traderId: string, db: Db = deps.database.db): Promise<string> {
  return (await findTrader(db, traderId))?.test ? TEST_PLATFORM : LIVE_PLATFORM;
}
