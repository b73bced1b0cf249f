// A merchant's spendable USDT balance funded directly in the ledger (platform funding → merchant
// balance), for tests of what leaves it: withdrawals and their approval.
import type { Deps } from "../../src/app/deps.js";
import { postTransfer } from "../../src/app/ledger/ledger.js";

let funded = 0;

export async function fundMerchantBalance(deps: Deps, merchantId: string, minor: bigint): Promise<void> {
  await deps.database.db.transaction().execute((trx) =>
    postTransfer(
      trx,
      {
        id: `test:fund:${merchantId}:${++funded}`,
        code: "test_funding",
        ref: { type: "merchant", id: merchantId },
        entries: [
          { account: { owner: "platform", asset: "USDT", purpose: "platform_funding" }, amountMinor: -minor },
          { account: { owner: `merchant:${merchantId}`, asset: "USDT", purpose: "merchant_balance" }, amountMinor: minor },
        ],
      },
      deps.clock.now(),
    ),
  );
}
