// A merchant's allow-list of withdrawal addresses. An address is checked for its network when added
// (EIP-55 checksum and no zero address on Ethereum networks, base58check on TRON, ...) and usable only
// after the cooling-off period (RAMPART_WITHDRAWAL_COOLING_OFF_HOURS), so a leaked API key cannot add
// an address and empty the balance to it at once. Removing an address makes it unusable at once.
import { pageOf, pageSize } from "../../core/shared/page-size.js";
import { AppError } from "../../core/shared/errors.js";
import { normalizeWithdrawalAddress, usableFrom } from "../../core/withdrawals/withdrawal-rules.js";
import { insertWithdrawalAddress, listWithdrawalAddresses, removeWithdrawalAddress, type WithdrawalAddressRow } from "../../db/withdrawals/withdrawals.js";
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
  merchantId: string,
  input: { network: string; address: string; label?: string },
): Promise<WithdrawalAddressView> {
  const asset = formatOf(input.network);
  const address = normalizeWithdrawalAddress(asset, input.address);
  const now = deps.clock.now();
  const row = {
    id: deps.ids.prefixed("wda"),
    merchant_id: merchantId,
    network: asset.network,
    address,
    label: input.label ?? null,
    usable_from: usableFrom(now, deps.config.withdrawals.coolingOffHours),
    created_at: now,
  };
  if (!(await insertWithdrawalAddress(deps.database.db, row))) throw new AppError("withdrawal_address_exists", { field: "address" });
  return view({ ...row, removed_at: null });
}

export async function listMerchantWithdrawalAddresses(
  deps: Deps,
  merchantId: string,
  q: { limit?: number; after?: string },
): Promise<{ items: WithdrawalAddressView[]; nextCursor: string | null }> {
  const limit = pageSize(q.limit, 50, MAX_ADDRESS_PAGE);
  const rows = await listWithdrawalAddresses(deps.database.db, merchantId, { limit: limit + 1, ...(q.after ? { after: q.after } : {}) });
  const page = pageOf(rows, limit, (last) => last.id);
  return { items: page.items.map(view), nextCursor: page.nextCursor };
}

/** Another merchant's address, or one already removed, is not found (404). */
export async function removeMerchantWithdrawalAddress(deps: Deps, merchantId: string, id: string): Promise<void> {
  if (!(await removeWithdrawalAddress(deps.database.db, merchantId, id, deps.clock.now()))) throw new AppError("not_found", { message: "No such withdrawal address." });
}
