// The operator API and the console run each state-changing request as one audited action: its use
// case's transactions carry the action's audit entry (src/db/audit/audit-scope.ts says how).
export { type AuditScope, runInAuditScope as runOperatorAction } from "../../db/audit/audit-scope.js";
