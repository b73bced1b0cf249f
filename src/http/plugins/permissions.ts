// Role checks for the operator console and the operator API. A route may name the permission it needs
// in its config (`config: { permission: "kyc.review" }`); otherwise its area's default applies. The
// check runs after the area's auth hook has set the operator principal and before the handler.
import type { FastifyRequest } from "fastify";
import { AppError } from "../../core/shared/errors.js";
import { can, PERMISSIONS, type Permission } from "../../core/staff/roles.js";
import { principalOf } from "./principal.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /** The permission this route needs (core/staff/roles.ts); absent: its area's default. */
    permission?: Permission;
  }
}

/** The permission the route names, or `fallback`. */
export const routePermission = (request: FastifyRequest, fallback: Permission): Permission => request.routeOptions.config.permission ?? fallback;

/** role_forbidden (403) unless the operator's role holds `permission`. */
export function requirePermission(request: FastifyRequest, permission: Permission): void {
  const { role } = principalOf(request, "operator");
  if (!can(role, permission)) {
    throw new AppError("role_forbidden", {
      message: `The ${role} role may not ${PERMISSIONS[permission]} (permission ${permission}).`,
      details: { role, permission },
    });
  }
}
