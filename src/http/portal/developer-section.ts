// The developer page: what an integration needs, filled with the merchant's own values (its id, its
// stores, the three dialects' base URLs and a curl example each) and links to the docs. Keys are never
// shown here: the examples read the key from $RAMPART_KEY (create one on the API keys page).
import { merchantSettings } from "../../app/merchants/merchant-settings.js";
import { html } from "../pages/html.js";
import type { PortalSection } from "./portal-section.js";

export const developerSection: PortalSection = {
  id: "developer",
  title: "Developer",
  permission: "developer",
  async render(deps, ctx) {
    const base = deps.config.publicUrl;
    const stores = (await merchantSettings(deps, ctx.merchantId, { limit: 50 })).stores.items;
    const store = stores[0]?.storeId ?? "<store id>";
    const dialects = [
      {
        id: "trading",
        name: "Trading pay-ins (Bitzone dialect)",
        url: `${base}/payment/trading`,
        curl: `curl -s "${base}/payment/trading/pay-in?limit=5" -H "x-api-key: $RAMPART_KEY"`,
        note: "If request signatures are required for your merchant, add x-signature (HMAC-SHA256 of the path and query with your key).",
      },
      {
        id: "intent",
        name: "Payment intents (AhoraCrypto dialect)",
        url: `${base}/payment/intent`,
        curl: `curl -s "${base}/payment/intent?storeId=${store}&limit=5" -H "x-api-key: $RAMPART_KEY"`,
        note: "",
      },
      {
        id: "card",
        name: "Card payments (vault.ist dialect)",
        url: `${base}/v3`,
        curl: `curl -s "${base}/v2/mobile/signup" -H "X-Merchant-ID: ${ctx.merchantId}" -H 'content-type: application/json' -d '{"phone":"+34600000000","password":"a long password"}'`,
        note: "Card customers sign up under your merchant id; their bearer token then calls /v3.",
      },
    ];
    return html`<section class="card" id="ids"><h2>Your ${ctx.test ? "test " : ""}identifiers</h2>${
      ctx.test ? html`<p class="muted">Test mode: your test merchant and test store ids, for requests with a test key (<code>rmp_test_…</code>).</p>` : ""
    }
<div class="row"><span>Merchant id</span><span class="mono wrap" id="merchant-id">${ctx.merchantId}</span></div>
${stores.map((s) => html`<div class="row" data-store="${s.storeId}"><span>Store ${s.name}</span><span class="mono wrap">${s.storeId}</span></div>`)}
<p class="muted">Every request carries an API key from the <a href="/merchant/keys">API keys</a> page${ctx.can("keys") ? "" : " (a developer or owner creates them)"}; below it is <code>$RAMPART_KEY</code>.</p></section>
${dialects.map(
  (d) => html`<section class="card" data-dialect="${d.id}"><h2>${d.name}</h2><div class="row"><span>Base URL</span><span class="mono wrap">${d.url}</span></div>
<pre class="mono wrap" style="white-space:pre-wrap;overflow-wrap:anywhere" tabindex="0" aria-label="curl example for ${d.name}">${d.curl}</pre>${d.note ? html`<p class="muted">${d.note}</p>` : ""}</section>`,
)}
<section class="card"><h2>Docs</h2><ul><li><a href="/docs">Interactive API reference (/docs)</a></li>
<li>Your own API: <span class="mono wrap">${base}/merchant/v1</span> (settings, payments, balance, statement, keys, withdrawals)</li></ul></section>`;
  },
};
