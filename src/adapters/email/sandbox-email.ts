// Sandbox e-mail: nothing leaves the machine. In sandbox mode (logText) the message (with its
// confirmation link) is written to the log so a developer can follow the flow; in a live installation (as
// the live sender, no e-mail vendor ships yet, or test mode's, whose e-mails the test inbox keeps) the
// send is logged without the text (a confirmation link is a bearer token): as a warning for the live
// sender, as information for test mode's (`inbox`), where nothing is missing.
import type { Logger } from "pino";
import type { EmailSender } from "../../app/ports.js";

/** ada@example.com → a***@example.com: enough to tell addresses apart in logs. */
function maskAddress(to: string): string {
  const at = to.lastIndexOf("@");
  return at <= 0 ? "***" : `${to[0]}***${to.slice(at)}`;
}

export function createSandboxEmail(logger: Logger, opts: { logText: boolean; inbox?: boolean }): EmailSender {
  return {
    name: "sandbox-email",
    async send(to, subject, text) {
      if (opts.logText) logger.info({ email: { to: maskAddress(to), subject, text } }, "sandbox e-mail sent");
      else if (opts.inbox) logger.info({ email: { to: maskAddress(to), subject } }, "test mode e-mail kept in the merchant's test inbox, not sent");
      else logger.warn({ email: { to: maskAddress(to), subject } }, "no e-mail vendor configured: message not delivered");
    },
  };
}
