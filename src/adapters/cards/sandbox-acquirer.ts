// Sandbox card acquirer, offline and stateless. The outcome follows the test-card table in
// docs/contract-card.md#sandbox-test-cards; any other valid card is approved without a challenge.
// The scenario is carried in the provider reference, so status() and completeChallenge() answer the
// same in any process.
import type { CardAcquirer, CardAuthOutcome, CardIssuer } from "../../app/ports.js";

type Scenario = "approve" | "challenge" | "do_not_honour" | "insufficient_funds" | "expired_card" | "provider_error";

const SANDBOX_TEST_CARDS: Record<string, Scenario> = {
  "4242424242424242": "approve",
  "4000000000003220": "challenge",
  "4000000000000002": "do_not_honour",
  "4000000000009995": "insufficient_funds",
  "4000000000000069": "expired_card",
  "4000000000000119": "provider_error",
};

const ISSUER: CardIssuer = { countryCode: "GB", countryName: "United Kingdom", bankName: "Rampart Sandbox Bank" };

const ANSWERS: Record<Scenario, Omit<CardAuthOutcome, "providerRef" | "issuer">> = {
  approve: { kind: "approved", code: 0, message: "Approved" },
  challenge: { kind: "challenge", code: 100, message: "3-D Secure authentication required" },
  do_not_honour: { kind: "declined", code: 400, message: "Do not honour" },
  insufficient_funds: { kind: "declined", code: 401, message: "Insufficient funds" },
  expired_card: { kind: "declined", code: 402, message: "Expired card" },
  provider_error: { kind: "provider_error", code: 305, message: "Wrong response from provider" },
};

function outcome(scenario: Scenario, providerRef: string): CardAuthOutcome {
  return { ...ANSWERS[scenario], providerRef, issuer: ISSUER } as CardAuthOutcome;
}

function scenarioOf(providerRef: string | null): Scenario | null {
  const s = providerRef?.split(":")[2];
  return s !== undefined && s in ANSWERS ? (s as Scenario) : null;
}

export function createSandboxAcquirer(): CardAcquirer {
  return {
    name: "sandbox-acquirer",
    async authorize(req) {
      const scenario = SANDBOX_TEST_CARDS[req.pan] ?? "approve";
      return outcome(scenario, `sbx:${req.paymentId}:${scenario}`);
    },
    async status(ref) {
      const scenario = scenarioOf(ref.providerRef);
      if (scenario === null) return null;
      // The provider error resolves: the sandbox reports that the charge went through after all.
      return outcome(scenario === "provider_error" ? "approve" : scenario, ref.providerRef!);
    },
    async completeChallenge(ref, passed) {
      const providerRef = ref.providerRef ?? `sbx:${ref.paymentId}:challenge`;
      return passed
        ? { kind: "approved", code: 0, message: "Approved", providerRef, issuer: ISSUER }
        : { kind: "declined", code: 403, message: "3-D Secure authentication failed", providerRef, issuer: ISSUER };
    },
  };
}
