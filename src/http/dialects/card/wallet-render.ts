// The wallet object of /v2/wallets and /v2/wallets/{walletId} (docs/contract-card.md#wallets); crypto
// amounts at the wire scale.
import type { WalletView } from "../../../app/card/wallets.js";
import { CRYPTO_WIRE_SCALE, truncateToWireScale } from "../../../core/card/card-amounts.js";
import { formatDecimal, formatMinor, minorToJsonNumber } from "../../../core/money/decimal.js";

/** The crypto amounts of a wallet at the wire scale. */
export function renderWallet(w: WalletView) {
  const scale = Math.min(w.decimals, CRYPTO_WIRE_SCALE);
  const shown = (m: bigint) => minorToJsonNumber(truncateToWireScale(m, w.decimals) / 10n ** BigInt(w.decimals - scale), scale);
  const balance = shown(w.postedMinor);
  return {
    id: Number(w.id),
    name: w.currency,
    address: custodialAddress(w.id),
    currency: w.currency,
    balance,
    balanceString: formatMinor(truncateToWireScale(w.postedMinor, w.decimals) / 10n ** BigInt(w.decimals - scale), scale),
    availableBalance: shown(w.availableMinor),
    customerId: Number(w.customerNumber),
    scale,
    allowOperations: ["PAYIN_CARD"],
    fiat: w.fiat && fiatObject(w.fiat),
    stub: false,
    walletCreationState: "CREATED",
  };
}

/**
 * Not a chain address: the crypto stays in Rampart's custody and the dialect takes no deposits, so a
 * wallet's address names the custodial account (docs/contract-card.md#wallets).
 */
export const custodialAddress = (walletId: string) => `custodial:${walletId}`;

function fiatObject(f: NonNullable<WalletView["fiat"]>) {
  return { customerCurrency: f.currency, amount: minorToJsonNumber(f.amountMinor, f.scale), change: 0, changePercent: 0, rate: JSON.parse(formatDecimal(f.rate)) as number };
}

/** The total of the wallets valued in one fiat (the ones without a rate right now are left out). */
export function totalFiat(wallets: WalletView[]) {
  const valued = wallets.flatMap((w) => (w.fiat ? [w.fiat] : []));
  const first = valued[0];
  if (!first) return null;
  const sum = valued.reduce((a, f) => a + f.amountMinor, 0n);
  return { customerCurrency: first.currency, amount: minorToJsonNumber(sum, first.scale), change: 0, changePercent: 0, rate: 1 };
}
