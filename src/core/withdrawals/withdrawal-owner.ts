// Who withdraws: a merchant (its balance) or a trader (the free part of its deposit). Each sees and
// decides only its own addresses and withdrawals.
export interface WithdrawalOwner {
  kind: "merchant" | "trader";
  id: string;
}
