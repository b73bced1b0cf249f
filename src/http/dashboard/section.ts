import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Deps } from "../../app/deps.js";
import type { SafeHtml } from "../pages/html.js";
import { principalOf } from "../plugins/principal.js";

/** Context a section renders with: the operator's CSRF token for its forms. */
interface SectionContext {
  csrf: string;
  query: Record<string, string | undefined>;
}

/**
 * One page of the operator dashboard. `actions` registers its POST form handlers under
 * /dashboard/<id>/...; the dashboard checks the session and CSRF token before they run.
 */
export interface DashboardSection {
  id: string;
  title: string;
  render(deps: Deps, ctx: SectionContext): Promise<SafeHtml>;
  actions?(app: FastifyInstance, deps: Deps): void;
}

/**
 * The signed-in operator's key id (actions record it as the actor of what they do), set as the
 * request's principal by the dashboard's session check before any section page or action runs.
 */
export const operatorOf = (request: FastifyRequest): string => principalOf(request, "operator").operatorKeyId;
