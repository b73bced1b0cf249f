// Test mode's message inbox in the portal (issue 19): the SMS codes and e-mail links sent to the test
// twin's card customers, newest first, links clickable, so a developer finishes a test customer's
// e-mail confirmation without the server log. The same use case as GET /merchant/v1/test-messages;
// test mode only (live customers' messages are never recorded).
import { TEST_MESSAGES_KEPT, testMessagesPage } from "../../app/merchants/test-messages.js";
import { when } from "../pages/format.js";
import { html, type SafeHtml } from "../pages/html.js";
import type { PortalSection } from "./portal-section.js";

const BACK = "/merchant/test-messages";
const PAGE = 50;
const URL_PART = /(https?:\/\/[^\s<>"']+)/;

/** The text escaped, each http(s) URL in it a link (split with a capturing group: odd parts are the URLs). */
function linked(text: string): SafeHtml[] {
  return text.split(URL_PART).map((part, i) => (i % 2 === 1 ? html`<a href="${part}" class="wrap">${part}</a>` : html`${part}`));
}

export const testMessagesSection: PortalSection = {
  id: "test-messages",
  title: "Test messages",
  permission: "developer",
  mode: "test",
  async render(deps, ctx) {
    const page = await testMessagesPage(deps, ctx.merchantId, { cursor: ctx.query.cursor, limit: PAGE });
    const list =
      page.items.length === 0
        ? html`<p class="muted" id="no-messages">No messages yet. Sign up a card customer with your test merchant id to see its code here.</p>`
        : html`<ul id="test-messages" class="plain">${page.items.map(
            (m) => html`<li data-message="${m.seq}" data-channel="${m.channel}"><div class="row"><span><strong>${m.channel === "sms" ? "SMS" : "E-mail"}</strong> to <span class="mono wrap">${m.recipient}</span></span><span class="muted">${when(m.created_at)}</span></div>
${m.subject ? html`<div>${m.subject}</div>` : ""}<p class="wrap">${linked(m.body)}</p></li>`,
          )}</ul>`;
    const next = page.nextCursor ? html`<p><a id="next-page" href="${BACK}?${new URLSearchParams({ cursor: page.nextCursor }).toString()}">Older messages</a></p>` : "";
    return html`<section class="card"><h2>Sent to your test customers</h2>
<p class="muted">The SMS codes (always 1234 in test mode) and e-mail confirmation links your test card customers were sent; nothing reaches a real phone or mailbox. The newest ${TEST_MESSAGES_KEPT} are kept. Your integration reads the same list with a test key: <code>GET /merchant/v1/test-messages</code>.</p>
${list}${next}</section>`;
  },
};
