// The portal's first page: the merchant's name and where to go next (the charts come with the payments pages).
import { merchantOr404 } from "../../app/merchants/merchants.js";
import { html } from "../pages/html.js";
import type { PortalSection } from "./portal-section.js";

export const overviewSection: PortalSection = {
  id: "overview",
  title: "Overview",
  permission: "payments",
  async render(deps, ctx) {
    const m = await merchantOr404(deps, ctx.merchantId);
    return html`<div class="card" id="merchant" data-merchant="${m.id}"><div class="row"><span>Merchant</span><span>${m.name}</span></div>
<div class="row"><span>Merchant id</span><span class="mono wrap">${m.id}</span></div></div>`;
  },
};
