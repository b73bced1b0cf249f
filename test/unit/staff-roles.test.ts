// The role table of the operator console and API (core/staff/roles.ts), and the operator API's route
// table (http/admin/admin-permissions.ts): what each role may and may not do, as the issue lists it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ADMIN_ROUTE_PERMISSIONS } from "../../src/http/admin/admin-permissions.js";
import { can, OPERATOR_ROLES, PERMISSIONS, type Permission, ROLE_PERMISSIONS } from "../../src/core/staff/roles.js";

const ALL = Object.keys(PERMISSIONS) as Permission[];
const holders = (p: Permission) => OPERATOR_ROLES.filter((r) => can(r, p));

test("admin holds every permission; viewer only read", () => {
  assert.deepEqual(ALL.filter((p) => !can("admin", p)), []);
  assert.deepEqual(ALL.filter((p) => can("viewer", p)), ["read"]);
});

test("every role reads; only admin reads the audit log, configures, manages staff and traders", () => {
  assert.deepEqual(holders("read"), ["admin", "support", "finance", "viewer"]);
  for (const p of ["audit.read", "configure", "staff.manage", "traders.manage"] as const) assert.deepEqual(holders(p), ["admin"], p);
});

test("support: disputes, KYC, payments, webhooks; never money out or refunds", () => {
  for (const p of ["disputes.decide", "kyc.review", "payments.manage", "webhooks.redeliver"] as const) assert.ok(can("support", p), p);
  for (const p of ["withdrawals", "refunds", "statements.import"] as const) assert.ok(!can("support", p), p);
});

test("finance: withdrawals, refunds, statements; not disputes or KYC", () => {
  for (const p of ["withdrawals", "refunds", "statements.import"] as const) assert.ok(can("finance", p), p);
  for (const p of ["disputes.decide", "kyc.review", "webhooks.redeliver"] as const) assert.ok(!can("finance", p), p);
});

test("each role's list names only known permissions, without repeats", () => {
  for (const r of OPERATOR_ROLES) {
    const list = ROLE_PERMISSIONS[r];
    assert.equal(new Set(list).size, list.length, r);
    for (const p of list) assert.ok(p in PERMISSIONS, `${r}: ${p}`);
  }
});

test("the operator API's table names state-changing routes under /admin/v1 only", () => {
  for (const [route, permission] of Object.entries(ADMIN_ROUTE_PERMISSIONS)) {
    assert.match(route, /^(POST|PUT|PATCH|DELETE) \/admin\/v1\//, route);
    assert.ok(permission in PERMISSIONS, route);
  }
  assert.equal(ADMIN_ROUTE_PERMISSIONS["POST /admin/v1/trading/pay-ins/:id/resolve"], "disputes.decide");
  assert.equal(ADMIN_ROUTE_PERMISSIONS["POST /admin/v1/payouts/:payoutId/tx-hash"], "withdrawals");
});
