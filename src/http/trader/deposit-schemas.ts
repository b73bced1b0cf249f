// The deposit address object, answered to the trader (/trader/v1) and to the operator (/admin/v1).
import { Type } from "typebox";

export const DepositAddressObject = Type.Object({
  address: Type.String({ description: "EIP-55 spelling" }),
  chainId: Type.Integer(),
  asset: Type.String({ description: "The token credited to the deposit; other assets sent here are parked, not credited" }),
  confirmations: Type.Integer({ description: "Blocks deep before a transfer is credited" }),
});
