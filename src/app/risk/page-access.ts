// Whether the hosted payer page of a trading pay-in opens for this visitor: the merchant's page access
// setting (risk settings, cached with its rules) applied to how the visitor differs from the
// extra.payerInfo the merchant sent (core/risk/page-access.ts). Every part of the page asks: the page,
// its panel, its status poll, the claim and the receipt upload.
import { type PageVisitor, payerMismatch } from "../../core/risk/page-access.js";
import type { Deps } from "../deps.js";
import { getPayinForPayer } from "../trading/queries.js";
import { readRiskSet } from "./rule-cache.js";

/**
 * "open", or "refused" when the merchant's setting is deny and the visitor's IP or user agent differs
 * from payerInfo. In log and deny mode a mismatch is logged (which fields, never their values); an
 * unknown pay-in is not_found.
 */
export async function payerPageAccess(deps: Deps, payinId: string, visitor: PageVisitor, log: { warn(obj: object, msg: string): void }): Promise<"open" | "refused"> {
  const payin = await getPayinForPayer(deps, payinId);
  const mismatch = payerMismatch((payin.extra as { payerInfo?: unknown } | null)?.payerInfo, visitor);
  if (mismatch.length === 0) return "open";
  const { pageAccess } = await readRiskSet(deps, payin.merchant_id);
  if (pageAccess === "off") return "open";
  log.warn({ payinId: payin.id, risk: "payer_page_mismatch", mismatch, pageAccess }, "payer page opened by another visitor than payerInfo");
  return pageAccess === "deny" ? "refused" : "open";
}
