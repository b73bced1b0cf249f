// The rules a withdrawal request is checked against before any money moves: pure, no clock of its own.
import { checkAddress, eip55Address } from "../money/addresses.js";
import type { CryptoAsset } from "../money/assets.js";
import { AppError } from "../shared/errors.js";

/**
 * The address as it is stored and paid: checked for its network (EIP-55 checksum, the zero address
 * refused) and, on Ethereum networks, spelled in its EIP-55 form so one address is one allow-list row.
 */
export function normalizeWithdrawalAddress(asset: CryptoAsset, address: string): string {
  const check = checkAddress(asset.addressFormat, address);
  if (!check.ok) throw new AppError("invalid_address", { field: "address", message: `The address is not valid for ${asset.network}: ${check.reason}.` });
  return asset.addressFormat === "ethereum" ? eip55Address(address) : address;
}

/** A newly allow-listed address is usable only after the cooling-off period: a stolen key cannot add one and drain at once. */
export function usableFrom(addedAt: Date, coolingOffHours: number): Date {
  return new Date(addedAt.getTime() + coolingOffHours * 3_600_000);
}

/** Above the threshold an operator approves; no threshold for the asset means every withdrawal of it needs one. */
export function needsApproval(amountMinor: bigint, approvalAboveMinor: bigint | null): boolean {
  return approvalAboveMinor === null || amountMinor > approvalAboveMinor;
}
