// The traders of the trading benchmarks: funded far beyond any run, each with its requisites spread
// over four banks, so a create is never refused for want of a deposit or a free slot.
import type { Deps } from "../../src/app/deps.js";
import { fundTraderDeposit } from "../../src/app/trading/ledger-postings.js";
import { createRequisite, createTrader } from "../../src/app/trading/traders.js";

export async function seedBenchTraders(deps: Deps, traders: number, requisitesPerTrader: number): Promise<void> {
  const banks = ["SBER", "TBANK", "ALFA", "VTB"];
  for (let t = 0; t < traders; t++) {
    const { traderId } = await createTrader(deps, `bench trader ${t}`);
    await fundTraderDeposit(deps, traderId, 10n ** 15n, `bench:fund:${traderId}`);
    for (let r = 0; r < requisitesPerTrader; r++) {
      await createRequisite(deps, {
        traderId,
        bank: banks[(t + r) % banks.length]!,
        method: "card",
        ownerName: `Owner ${t}-${r}`,
        number: `2200${String(t * 100 + r).padStart(12, "0")}`,
        maxOpenPayins: 100_000,
      });
    }
  }
}
