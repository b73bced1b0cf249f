// Schemas (and so the OpenAPI) of withdrawals and withdrawal addresses, shared by the merchant, trader
// and operator routes.
import { Type } from "typebox";
import { WITHDRAWAL_STATUSES } from "../../core/withdrawals/withdrawal-status.js";

const Nullable = Type.Union([Type.String(), Type.Null()]);
export const WithdrawalStatus = Type.Enum(WITHDRAWAL_STATUSES, { type: "string" });
/** Ids are prefixed and time-ordered (wd_…, wda_…); anything else is simply not found. */
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

export const AddressBody = Type.Object(
  {
    network: Type.String({ minLength: 2, maxLength: 20, description: "Rampart's network name: erc20, ethereum, trc20, bitcoin" }),
    address: Type.String({ minLength: 1, maxLength: 100, description: "Checked for the network: on Ethereum networks an EIP-55 checksum if mixed case; the zero address is refused" }),
    label: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false, examples: [{ network: "erc20", address: "0x52908400098527886E0F7030069857D2E4169EE7", label: "treasury" }] },
);

export const AddressView = Type.Object({
  id: Type.String(),
  network: Type.String(),
  address: Type.String(),
  label: Nullable,
  usableFrom: Type.String({ description: "The end of the cooling-off period: withdrawals to this address are refused before it" }),
  createdAt: Type.String(),
});

export const WithdrawalBody = Type.Object(
  {
    addressId: Type.String({ minLength: 1, maxLength: 100, description: "An allow-listed address (POST …/withdrawal-addresses) whose cooling-off period is over" }),
    asset: Type.String({ minLength: 2, maxLength: 10, description: "e.g. USDT; must exist on the address's network" }),
    amount: Type.String({ minLength: 1, maxLength: 40, description: "Decimal, in the asset's units, at most its decimals (6 for USDT); the fee comes on top" }),
  },
  { additionalProperties: false, examples: [{ addressId: "wda_01jf8v6m1k2w3x4y5z6a7b8c9d", asset: "USDT", amount: "250.50" }] },
);

export const WithdrawalView = Type.Object({
  id: Type.String(),
  merchantId: Nullable,
  traderId: Nullable,
  status: WithdrawalStatus,
  addressId: Type.String(),
  network: Type.String(),
  asset: Type.String(),
  address: Type.String(),
  amount: Type.String(),
  fee: Type.String({ description: "Taken with the amount (RAMPART_WITHDRAWAL_FEES)" }),
  needsApproval: Type.Boolean({ description: "Above RAMPART_WITHDRAWAL_APPROVAL_ABOVE: an operator approves before it is sent" }),
  txHash: Nullable,
  failureReason: Nullable,
  cancelRequestedAt: Type.Union([Type.String(), Type.Null()], {
    description: "An operator asked to cancel the sent payout: it stays sent until the chain decides (confirmed if the payout is mined, failed with the funds returned once the cancel is)",
  }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const WithdrawalPage = Type.Object({ items: Type.Array(WithdrawalView), nextCursor: Nullable });
export const AddressPage = Type.Object({ items: Type.Array(AddressView), nextCursor: Nullable });

export const RejectBody = Type.Object(
  { reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })) },
  { additionalProperties: false, examples: [{ reason: "address not verified with the merchant" }] },
);
