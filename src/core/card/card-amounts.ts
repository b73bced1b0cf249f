// Card dialect arithmetic on top of the money core: the wire's fixed crypto scale (amountScaleTo = 8),
// the crypto-per-fiat rate the dialect shows, and converting an amount into the KYC limit currency.
import type { Decimal } from "../money/decimal.js";
import { divRound, pow10 } from "../money/rounding.js";

/** Crypto amounts on the wire carry at most 8 decimals. */
export const CRYPTO_WIRE_SCALE = 8;

/** Rounds crypto owed to the customer down to the wire scale (assets with more decimals, e.g. ETH). */
export function truncateToWireScale(cryptoMinor: bigint, decimals: number): bigint {
  if (decimals <= CRYPTO_WIRE_SCALE) return cryptoMinor;
  const unit = pow10(decimals - CRYPTO_WIRE_SCALE);
  return cryptoMinor - (cryptoMinor % unit);
}

/** 1 / (fiat per crypto) as crypto per 1 fiat, scaled 10^8, rounded down (what the dialect calls rate). */
export function cryptoPerFiatScaled(fiatPerCrypto: Decimal, spreadBps: number): bigint {
  return divRound(pow10(CRYPTO_WIRE_SCALE + fiatPerCrypto.scale) * 10_000n, fiatPerCrypto.coefficient * BigInt(10_000 + spreadBps), "floor");
}

/**
 * A fiat amount in another fiat through a common bridge asset: `fromPerBridge` and `toPerBridge` are
 * each fiat's price of one bridge unit. Rounded up: a limit is never under-counted.
 */
export function convertFiat(minor: bigint, fromScale: number, toScale: number, fromPerBridge: Decimal, toPerBridge: Decimal): bigint {
  // minor/10^fs × (to/10^ts2) / (from/10^fs2) × 10^ts
  return divRound(
    minor * toPerBridge.coefficient * pow10(fromPerBridge.scale) * pow10(toScale),
    fromPerBridge.coefficient * pow10(toPerBridge.scale) * pow10(fromScale),
    "ceil",
  );
}

/** The rate between two fiats (units of `to` per 1 `from`) scaled 10^8, half-even. */
export function fiatCrossScaled(fromPerBridge: Decimal, toPerBridge: Decimal): bigint {
  return divRound(toPerBridge.coefficient * pow10(fromPerBridge.scale) * pow10(CRYPTO_WIRE_SCALE), fromPerBridge.coefficient * pow10(toPerBridge.scale), "half_even");
}

/** A crypto amount's value in a fiat at `fiatPerCrypto`, in the fiat's minor units, rounded down. */
export function cryptoValueInFiat(cryptoMinor: bigint, decimals: number, fiatPerCrypto: Decimal, fiatScale: number): bigint {
  return divRound(cryptoMinor * fiatPerCrypto.coefficient * pow10(fiatScale), pow10(decimals + fiatPerCrypto.scale), "floor");
}
