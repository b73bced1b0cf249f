// The permission each state-changing operator API route needs (core/staff/roles.ts). Reads (GET) need
// "read"; a state-changing route missing from this table needs "configure" (admin only), so a route
// added without an entry is refused to every role but admin rather than open to all. A route may also
// name its permission in its own config (`config: { permission }`), which wins.
import type { FastifyRequest } from "fastify";
import type { Permission } from "../../core/staff/roles.js";

export const ADMIN_ROUTE_PERMISSIONS: Record<string, Permission> = {
  "POST /admin/v1/trading/pay-ins/:id/resolve": "disputes.decide",
  "POST /admin/v1/kyc/cases/:id/approve": "kyc.review",
  "POST /admin/v1/kyc/cases/:id/reject": "kyc.review",
  "POST /admin/v1/risk/reviews/:paymentId/release": "payments.manage",
  "POST /admin/v1/risk/reviews/:paymentId/reject": "payments.manage",
  "POST /admin/v1/payments/:paymentId/cancel": "payments.manage",
  "POST /admin/v1/payments/:paymentId/refund": "refunds",
  "POST /admin/v1/payment-refunds/:refundId/sent": "refunds",
  "POST /admin/v1/payment-refunds/:refundId/completed": "refunds",
  "POST /admin/v1/webhooks/messages/:eventId/redeliver": "webhooks.redeliver",
  "POST /admin/v1/webhooks/endpoints/:endpointId/redeliver-failed": "webhooks.redeliver",
  "POST /admin/v1/unmatched-transfers/:id/assign": "transfers.assign",
  "POST /admin/v1/unmatched-transfers/:id/refund": "refunds",
  "PUT /admin/v1/refund-orders/:id/beneficiary": "refunds",
  "POST /admin/v1/refund-exports": "refunds",
  "POST /admin/v1/payouts/:payoutId/tx-hash": "withdrawals",
  "POST /admin/v1/withdrawals/:id/approve": "withdrawals",
  "POST /admin/v1/withdrawals/:id/reject": "withdrawals",
  "POST /admin/v1/withdrawals/:id/repoll": "withdrawals",
  "POST /admin/v1/withdrawals/:id/cancel": "withdrawals",
  "POST /admin/v1/withdrawals/:id/tx-hash": "withdrawals",
  "POST /admin/v1/bank-statements": "statements.import",
  "POST /admin/v1/trading/traders": "traders.manage",
  "POST /admin/v1/trading/traders/:traderId/requisites": "traders.manage",
  "POST /admin/v1/trading/traders/:traderId/deposit/top-ups": "traders.manage",
  "PUT /admin/v1/trading/traders/:traderId/requisites/:requisiteId/limits": "traders.manage",
};

/** What the route needs when its config names nothing. */
export function adminDefaultPermission(request: FastifyRequest): Permission {
  if (request.method === "GET" || request.method === "HEAD") return "read";
  return ADMIN_ROUTE_PERMISSIONS[`${request.method} ${request.routeOptions.url}`] ?? "configure";
}
