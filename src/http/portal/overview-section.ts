// The portal's first page: the operator overview's activity charts (payments created and paid per day
// and flow, conversion, median time to pay, fiat paid per currency) scoped to the merchant.
import { merchantOr404 } from "../../app/merchants/merchants.js";
import { overviewRange, paymentActivity } from "../../app/payments/payment-overview.js";
import { activityCard, rangeLinks, volumeCards } from "../dashboard/overview-section.js";
import { html } from "../pages/html.js";
import type { PortalSection } from "./portal-section.js";

export const overviewSection: PortalSection = {
  id: "overview",
  title: "Overview",
  permission: "payments",
  async render(deps, ctx) {
    const [m, o] = await Promise.all([merchantOr404(deps, ctx.merchantId, true), paymentActivity(deps, overviewRange(ctx.query.range), ctx.merchantId)]);
    return html`<div class="card" id="merchant" data-merchant="${m.id}"><div class="row"><span>Merchant</span><span>${m.name}</span></div>
<div class="row"><span>Merchant id</span><span class="mono wrap">${m.id}</span></div></div>
${rangeLinks(o.range, "/merchant/overview")}${activityCard(o)}${volumeCards(o)}`;
  },
};
