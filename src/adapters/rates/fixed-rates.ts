// Rates fixed by config (RAMPART_RATES=fixed), fresh at every read: a live operator's own rates, tests and reproducible demos.
import type { Clock, RateSource } from "../../app/ports.js";

export function createFixedRateSource(rates: Record<string, string>, clock: Clock): RateSource {
  return {
    name: "fixed",
    async getRate(fiat, crypto) {
      const rate = rates[`${fiat.toUpperCase()}/${crypto.toUpperCase()}`];
      if (!rate) throw new Error(`no fixed rate for ${fiat}/${crypto}`);
      return { fiat, crypto, rate, source: "fixed", fetchedAt: clock.now() };
    },
  };
}
