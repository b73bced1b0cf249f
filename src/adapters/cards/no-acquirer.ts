// No card acquirer (RAMPART_CARD_ACQUIRER=none): the card dialect's routes are switched off for live
// merchants (http/dialects/card/switched-off.ts) and a test twin's payments use test mode's sandbox
// acquirer (portsFor), so nothing should reach this; a payment left from before the switch is refused
// here rather than approved.
import type { CardAcquirer } from "../../app/ports.js";
import { AppError } from "../../core/shared/errors.js";

export function createNoAcquirer(): CardAcquirer {
  const refuse = async (): Promise<never> => {
    throw new AppError("service_not_enabled", { message: "Card payments are not enabled on this server." });
  };
  return { name: "none", authorize: refuse, status: refuse, completeChallenge: refuse };
}
