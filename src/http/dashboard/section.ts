import type { FastifyInstance } from "fastify";
import type { Deps } from "../../app/deps.js";
import type { SafeHtml } from "../pages/html.js";

/** Context a section renders with: the operator's CSRF token for its forms. */
export interface SectionContext {
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
