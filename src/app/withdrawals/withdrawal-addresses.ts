// A merchant's (or a trader's) allow-list of withdrawal addresses. An address is checked for its network when added
// (EIP-55 checksum and no zero address on Ethereum networks, base58check on TRON, ...) and usable only
// after the cooling-off period (RAMPART_WITHDRAWAL_COOLING_OFF_HOURS), so a leaked API key cannot add
// an address and empty the balance to it at once. Removing an address makes it unusable at once.
import { pageOf, pageSize } from "../../core/shared/page-size.js";
import { AppError } from "../../core/shared/errors.js";
import { normalizeWithdrawalAddress, usableFrom } from "../../core/withdrawals/withdrawal-rules.js";
import type { WithdrawalOwner } from "../../core/withdrawals/withdrawal-owner.js";
import { insertWithdrawalAddress, listWithdrawalAddresses, ownerColumns, removeWithdrawalAddress, type WithdrawalAddressRow } from "../../db/withdrawals/withdrawals.js";
import type { Deps } from "../deps.js";
import { WITHDRAWAL_ASSETS } from "./withdrawal-view.js";

export const MAX_ADDRESS_PAGE = 100;

interface WithdrawalAddressView {
  id: string;
  network: string;
  address: string;
  label: string | null;
  usableFrom: string;
  createdAt: string;
}

const view = (a: WithdrawalAddressRow): WithdrawalAddressView => ({
  id: a.id,
  network: a.network,
  address: a.address,
  label: a.label,
  usableFrom: a.usable_from.toISOString(),
  createdAt: a.created_at.toISOString(),
});

/** The network's address format: any asset of the network carries it (USDT and USDC on erc20 alike). */
function formatOf(network: string) {
  const asset = WITHDRAWAL_ASSETS.list().find((a) => a.network === network.toLowerCase());
  if (!asset) throw new AppError("unknown_currency", { field: "network", message: `Unknown network ${network}.` });
  return asset;
}

export async function addWithdrawalAddress(
  deps: Deps,
  owner: WithdrawalOwner,
  input: { network: string; address: string; label?: string },
): Promise<WithdrawalAddressView> {
  const asset = formatOf(input.network);
  const address = normalizeWithdrawalAddress(asset, input.address);
  const now = deps.clock.now();
  const row = {
    id: deps.ids.prefixed("wda"),
    network: asset.network,
    address,
    label: input.label ?? null,
    usable_from: usableFrom(now, deps.config.withdrawals.coolingOffHours),
    created_at: now,
  };
  // In a transaction, as every audited write: the action's audit entry commits with it (db/audit/audit-scope.ts).
  const inserted = await deps.database.db.transaction().execute((trx) => insertWithdrawalAddress(trx, owner, row));
  if (!inserted) throw new AppError("withdrawal_address_exists", { field: "address" });
  return view({ ...row, ...ownerColumns(owner), removed_at: null });
}

export async function listOwnWithdrawalAddresses(
  deps: Deps,
  owner: WithdrawalOwner,
  q: { limit?: number; after?: string },
): Promise<{ items: WithdrawalAddressView[]; nextCursor: string | null }> {
  const limit = pageSize(q.limit, 50, MAX_ADDRESS_PAGE);
  const rows = await listWithdrawalAddresses(deps.database.db, owner, { limit: limit + 1, ...(q.after ? { after: q.after } : {}) });
  const page = pageOf(rows, limit, (last) => last.id);
  return { items: page.items.map(view), nextCursor: page.nextCursor };
}

/** Another owner's address, or one already removed, is not found (404). */
export async function removeOwnWithdrawalAddress(deps: Deps, owner: WithdrawalOwner, id: string): Promise<void> {
  const removed = await deps.database.db.transaction().execute((trx) => removeWithdrawalAddress(trx, owner, id, deps.clock.now()));
  if (!removed) throw new AppError("not_found", { message: "No such withdrawal address." });
}
