// The worked examples in docs/contract-*.md are what the code computes: each figure is computed here
// with the dialect's own arithmetic (and the sandbox pair the page names) and must appear on its page,
// so a change of the arithmetic or of the sandbox pair fails until the page is updated too.
import assert from "node:assert/strict";
import fs from "node:fs";
import { test } from "node:test";
import { SANDBOX_PAIRS } from "../../src/app/sandbox/seed-pricing.js";
import { CRYPTO_WIRE_SCALE, cryptoPerFiatScaled } from "../../src/core/card/card-amounts.js";
import { formatMinor, parseDecimal } from "../../src/core/money/decimal.js";
import { parsePairSpec, termsFor } from "../../src/core/pricing/pair.js";
import { quote } from "../../src/core/pricing/quote.js";
import { tradingAmounts } from "../../src/core/pricing/trading-amounts.js";

/** Each snippet (a computed figure in the form the page writes its result) must be on the page. */
function assertOnPage(name: string, snippets: string[]): void {
  const doc = fs.readFileSync(`docs/${name}`, "utf8");
  const missing = snippets.filter((f) => !doc.includes(f));
  assert.deepEqual(missing, [], `${name} does not show these computed figures`);
}

const bold = (figure: string) => `**${figure}**`;

test("contract-trading.md: cryptoAmount, merchantFee and the merchant's credit at 99.12 and 8.5 %", () => {
  const rate = parseDecimal("99.12");
  const fee = parseDecimal("0.085");
  const row = (fiatMinor: bigint) => {
    const a = tradingAmounts(fiatMinor, 2, rate, 6, fee);
    return [`→ \`"${a.cryptoMinor}"\``, `→ \`"${a.merchantFeeMinor}"\``, `| ${formatMinor(a.merchantNetMinor, 6)} USDT |`];
  };
  const repriced = tradingAmounts(600000n, 2, rate, 6, fee);
  assertOnPage("contract-trading.md", [
    ...row(603000n),
    ...row(500000n),
    `becomes \`"${repriced.cryptoMinor}"\` and \`"${repriced.merchantFeeMinor}"\``,
  ]);
  assert.deepEqual(row(603000n).slice(0, 2), ['→ `"60835352"`', '→ `"5171005"`'], "the public check vector");
});

const now = new Date("2026-01-15T10:00:00Z");
const eurUsdt = SANDBOX_PAIRS.find((p) => p.fiat === "EUR" && p.crypto === "USDT" && p.network === "trc20")!;
const pair = parsePairSpec(eurUsdt, { fiatScale: 2, cryptoDecimals: 6 });
const rate = { rate: parseDecimal("0.93"), source: "fixed", fetchedAt: now };
const req = { now, maxRateAgeSeconds: 60 };

test("contract-intents.md: the sandbox EUR→USDT bank-transfer quotes at 0.93", () => {
  const terms = termsFor(pair, "sepa", { fiatScale: 2, cryptoDecimals: 6 });
  const hundred = quote(terms, rate, { ...req, fiatMinor: 10_000n });
  const big = quote(terms, rate, { ...req, fiatMinor: 150_000n });
  const fifty = quote(terms, rate, { ...req, cryptoMinor: 50_000_000n });
  const processing = (q: typeof fifty) => q.fees.find((f) => f.name === "processing")!.amountMinor;
  assertOnPage("contract-intents.md", [
    `= ${formatMinor(processing(hundred), 2)} |`,
    bold(formatMinor(hundred.cryptoMinor, 6)),
    `= ${formatMinor(processing(big), 2)} |`,
    bold(formatMinor(big.cryptoMinor, 6)),
    bold(formatMinor(fifty.fiatMinor, 2)),
    `= ${formatMinor(processing(fifty), 2)} |`,
    bold(formatMinor(fifty.cryptoMinor, 6)),
    `for all three is \`${hundred.effectiveRate}\``,
  ]);
});

test("contract-card.md: the sandbox EUR→USDT card offer at 0.93 and the rate it shows", () => {
  // The card dialect credits a custodial wallet: no network fee (src/app/card/card-pricing.ts).
  const terms = { ...termsFor(pair, "card", { fiatScale: 2, cryptoDecimals: 6 }), networkFeeMinor: 0n };
  const offer = quote(terms, rate, { ...req, fiatMinor: 10_000n });
  assertOnPage("contract-card.md", [
    `= ${formatMinor(offer.fees.find((f) => f.name === "processing")!.amountMinor, 2)} EUR`,
    bold(formatMinor(offer.cryptoMinor, 6)),
    bold(formatMinor(cryptoPerFiatScaled(rate.rate, terms.spreadBps), CRYPTO_WIRE_SCALE)),
  ]);
});
