// Sandbox SMS: nothing leaves the machine. In sandbox mode (logText) the message (with its code, always
// 1234 there) is written to the log so a developer can follow the flow; in a live installation (as the
// live sender without an SMS vendor, or test mode's, whose texts the test inbox keeps) the send is logged
// without the text: as a warning for the live sender (a customer waits for it), as information for test
// mode's (`inbox`), where nothing is missing.
import type { Logger } from "pino";
import type { SmsSender } from "../../app/ports.js";

/** +447871239999 → +44*******999: enough to tell numbers apart in logs. */
function maskPhone(phone: string): string {
  return phone.length <= 6 ? "***" : `${phone.slice(0, 3)}${"*".repeat(phone.length - 6)}${phone.slice(-3)}`;
}

export function createSandboxSms(logger: Logger, opts: { logText: boolean; inbox?: boolean }): SmsSender {
  return {
    name: "sandbox-sms",
    async send(phone, text) {
      if (opts.logText) logger.info({ sms: { to: maskPhone(phone), text } }, "sandbox SMS sent");
      else if (opts.inbox) logger.info({ sms: { to: maskPhone(phone) } }, "test mode SMS kept in the merchant's test inbox, not sent");
      else logger.warn({ sms: { to: maskPhone(phone) } }, "no SMS vendor configured: message not delivered");
    },
  };
}
