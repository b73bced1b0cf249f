// What a payment tells the risk engine about its payer. Each dialect maps its own request onto these
// (trading: extra.payerInfo + depositType; intents: ip, email, countryIsoCode, wallet; cards: the
// customer's phone, device, card BIN and country). Any signal may be missing: the rules that need it
// are then reported "not evaluated" and never block on their own.

export type RiskFlow = "trading" | "intent" | "card";

export interface RiskSignals {
  flow: RiskFlow;
  amountMinor: bigint;
  currency: string;
  userId?: string | null;
  fingerprint?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  email?: string | null;
  /** A stable key for the card (never the number itself). */
  card?: string | null;
  cardBin?: string | null;
  cardCountry?: string | null;
  wallet?: string | null;
  depositType?: string | null;
  registeredAt?: Date | null;
  /** The country the payer or merchant declared (the intent's countryIsoCode). */
  declaredCountry?: string | null;
  /** Filled by the application from the IP (offline lookup); null when unknown. */
  ipCountry?: string | null;
  /** Filled by the application from the e-mail's domain. */
  emailDisposable?: boolean | null;
}

const present = (v: string | null | undefined): v is string => typeof v === "string" && v.trim().length > 0;

/** The value a signal is compared and counted by: trimmed, lower case; absent when empty. */
export function signalValue(s: RiskSignals, name: "userId" | "fingerprint" | "ip" | "email" | "card" | "wallet" | "emailDomain" | "bin"): string | null {
  switch (name) {
    case "emailDomain": {
      const email = signalValue(s, "email");
      const at = email?.lastIndexOf("@") ?? -1;
      return email && at > 0 && at < email.length - 1 ? email.slice(at + 1) : null;
    }
    case "bin":
      return present(s.cardBin) ? s.cardBin.trim().slice(0, 8) : null;
    default: {
      const v = s[name];
      // Wallet addresses: EVM addresses are case-insensitive, and a lower-cased base58 address only
      // ever collides with itself in practice; one rule for all keeps lists simple.
      return present(v) ? v.trim().toLowerCase() : null;
    }
  }
}
